// DOM behaviour in Debian's Chromium: what describeElement records, privacy, the interaction
// filter, page-state hashes, expected outcomes, and the Recorder selector forms replayed by
// Puppeteer and @puppeteer/replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner, PuppeteerRunnerExtension } from '@puppeteer/replay';
import type { Page } from 'puppeteer-core';
import type { StepTarget } from '../src/types.js';
import { recorderSelectors } from '../src/recorder.js';
import { openEnv, openPage, type Env } from './browser.js';

let env: Env;
beforeAll(async () => {
  env = await openEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const describeIn = (page: Page, selector: string) =>
  page.evaluate((sel) => window.StepwiseGuideCore.describeElement(document.querySelector(sel)!), selector) as Promise<StepTarget>;


describe('describeElement', () => {
  it('fills the brief\'s fields for a labelled select', async () => {
    const page = await openPage(env, '/v1/invoice.html');
    const t = await describeIn(page, '#vendor_dropdown');
    await page.close();
    expect(t.element_meta).toMatchObject({
      tag_name: 'SELECT', role: 'combobox', name: 'vendor', label_text: 'Vendor', inner_text: 'ABC Corp',
      accessible_name: 'Vendor', parent_tag: 'DIV', id: 'vendor_dropdown',
    });
    expect(t.element_meta.classes).toEqual(['vendor-select', 'form-control']);
    expect(t.element_meta.parent_classes).toContain('form-group');
    expect(t.element_meta.nearby_text).toContain('Invoice number');
    expect(t.element_meta.bounding_box.width).toBeGreaterThan(0);
    expect(t.element_meta.context).toEqual(['form', 'main']);
    expect(t.selectors).toMatchObject({
      primary: '#vendor_dropdown', css: '#vendor_dropdown', xpath: "//*[@id='vendor_dropdown']",
      aria: 'aria/Vendor[role="combobox"]', data_testid: null,
    });
    expect(t.selectors.stable_attrs).toMatchObject({ id: 'vendor_dropdown', name: 'vendor' });
    expect(t.selectors.xpath_alt).toMatch(/^\/html\[1\]\/body\[1\]\/main\[1\]\/form\[1\]\/div\[1\]\/select\[1\]$/);
  });

  it('prefers a test id, and never uses a generated id as primary', async () => {
    const v1 = await openPage(env, '/v1/invoice.html');
    const amount = await describeIn(v1, '#amount');
    await v1.close();
    expect(amount.selectors.primary).toBe('[data-testid="invoice-amount"]');
    expect(amount.selectors.data_testid).toBe('invoice-amount');
    expect(amount.element_meta.test_ids).toEqual({ data_testid: 'invoice-amount' });

    const v2 = await openPage(env, '/v2/invoice.html');
    const number = await describeIn(v2, 'input[name=invoice_number]');
    await v2.close();
    expect(number.selectors.primary).not.toContain('4821');
    expect(number.selectors.css).toBe('input[name="invoice_number"]');
    expect(number.selectors.stable_attrs).not.toHaveProperty('id');
    expect(number.element_meta.classes).toEqual(['Input_input__x1Y2z']);
  });

  it('records a shadow chain and a frame path', async () => {
    const page = await openPage(env, '/v1/shadow.html');
    const t = (await page.evaluate(() =>
      window.StepwiseGuideCore.describeElement(document.querySelector('date-picker')!.shadowRoot!.querySelector('button.today')!),
    )) as StepTarget;
    await page.close();
    expect(t.selectors.shadow_chain).toEqual(['#due_picker', 'button.today']);
    expect(t.selectors.in_closed_shadow).toBe(false);
    expect(t.selectors.frame_path).toBeNull();
    expect(t.selectors.frame_urls).toBeNull();
    expect(t.selectors.xpath).toBeNull();
    expect(t.element_meta.inner_text).toBe('Today');

    const framed = await openPage(env, '/v1/frame.html');
    await framed.waitForFunction(() => !!document.querySelector('iframe')?.contentDocument?.querySelector('#vat'));
    const f = (await framed.evaluate(() =>
      window.StepwiseGuideCore.describeElement(document.querySelector('iframe')!.contentDocument!.querySelector('#vat')!),
    )) as StepTarget;
    await framed.close();
    expect(f.selectors.frame_path).toEqual(['#billing_frame']);
    expect(f.selectors.frame_urls).toEqual([`${env.base}/v1/frame-inner.html`]);
    expect(f.selectors.shadow_chain).toBeNull();
    expect(f.selectors.in_closed_shadow).toBeNull();
    expect(f.selectors.primary).toBe('#vat');
    expect(f.element_meta.label_text).toBe('VAT number');
  });

  it('keeps every recorded field within the contract\'s bounds', async () => {
    const page = await openPage(env, '/v1/table.html');
    const t = (await page.evaluate(() => {
      let html = '<button id="deep" class="' + Array.from({ length: 40 }, (_, i) => `c${i}x btn-${'a'.repeat(150)}`).join(' ') + '">' + 'Very long label '.repeat(60) + '</button>';
      for (let i = 0; i < 200; i++) html = `<div><span>${'near '.repeat(5)}</span>${html}</div>`;
      document.body.insertAdjacentHTML('beforeend', html);
      return window.StepwiseGuideCore.describeElement(document.querySelector('#deep')!);
    })) as StepTarget;
    await page.close();
    const m = t.element_meta;
    for (const v of [m.inner_text, m.nearby_text, m.label_text, m.accessible_name]) expect((v ?? '').length).toBeLessThanOrEqual(200);
    expect(m.classes.length).toBeLessThanOrEqual(20);
    for (const c of [...m.classes, ...(m.parent_classes ?? [])]) expect(c.length).toBeLessThanOrEqual(100);
    for (const v of [t.selectors.primary, t.selectors.css, t.selectors.pierce]) expect((v ?? '').length).toBeLessThanOrEqual(1000);
    for (const v of [t.selectors.xpath, t.selectors.xpath_alt]) expect((v ?? '').length).toBeLessThanOrEqual(2000);
    expect(t.selectors.primary).toBe('#deep');
  });
});

describe('beginDescribe', () => {
  it('finishes later as describeElement would have at the start; changes since only withhold an ARIA selector', async () => {
    const page = await openPage(env, '/v1/invoice.html');
    const r = await page.evaluate(() => {
      const G = window.StepwiseGuideCore;
      const set = () => {
        document.body.innerHTML = '<button id="a">Save</button> <button id="b">Save</button> <button id="c">Send</button> <button id="d">Other</button>';
        return (id: string) => document.getElementById(id)!;
      };
      let $ = set();
      const same = JSON.stringify(G.beginDescribe($('c')).finish()) === JSON.stringify(G.describeElement($('c')));
      const own = G.beginDescribe($('d'));
      $('d').textContent = 'Changed'; // the element's own change after the event: the start counts
      const ownAria = own.finish().selectors.aria;
      const after: Record<string, string | null | undefined> = {};
      const changes: Record<string, () => void> = {
        removed: () => $('b').remove(),
        renamed: () => ($('b').textContent = 'Saved'),
        relabelled: () => $('b').setAttribute('aria-label', 'Keep'),
        hidden: () => ($('b').style.display = 'none'),
      };
      for (const [name, change] of Object.entries(changes)) {
        $ = set();
        const pending = G.beginDescribe($('a'));
        change();
        after[name] = pending.finish().selectors.aria;
      }
      $ = set();
      $('b').remove();
      const uniqueNow = G.describeElement($('a')).selectors.aria;
      return { same, ownAria, after, uniqueNow };
    });
    await page.close();
    expect(r.same).toBe(true);
    expect(r.ownAria).toBe('aria/Other[role="button"]');
    // Two "Save" buttons at the start: never an ARIA selector, whatever the page did since.
    expect(r.after).toEqual({ removed: null, renamed: null, relabelled: null, hidden: null });
    expect(r.uniqueNow).toBe('aria/Save[role="button"]');
  });
});

describe('Recorder selector forms', () => {
  const cases: [string, string][] = [
    ['/v1/invoice.html', '#vendor_dropdown'],
    ['/v1/invoice.html', '#submit_invoice'],
    ['/v1/table.html', 'tbody tr:nth-child(2) .edit'],
    ['/v1/modal.html', '#open_archive'],
  ];
  for (const [url, sel] of cases) {
    it(`aria/ and xpath/ forms of ${sel} resolve to it in Puppeteer`, async () => {
      const page = await openPage(env, url);
      const t = await describeIn(page, sel);
      expect(t.selectors.aria).toMatch(/^aria\/.+\[role="[a-z]+"\]$/);
      for (const query of [t.selectors.aria!, `xpath/${t.selectors.xpath}`, `xpath/${t.selectors.xpath_alt}`, t.selectors.css!]) {
        const handle = await page.$(query);
        expect(handle, query).not.toBeNull();
        const same = await page.evaluate((a, s) => a === document.querySelector(s), handle!, sel);
        expect(same, query).toBe(true);
      }
      await page.close();
    });
  }

  it('pierce/ reaches into the shadow root', async () => {
    const page = await openPage(env, '/v1/shadow.html');
    const t = (await page.evaluate(() =>
      window.StepwiseGuideCore.describeElement(document.querySelector('date-picker')!.shadowRoot!.querySelector('input')!),
    )) as StepTarget;
    const handle = await page.$(t.selectors.pierce!);
    const same = await page.evaluate((a) => a === document.querySelector('date-picker')!.shadowRoot!.querySelector('input'), handle!);
    await page.close();
    expect(same).toBe(true);
  });

  it('a recording built from them replays with @puppeteer/replay', async () => {
    const page = await openPage(env, '/v1/modal.html');
    const open = await describeIn(page, '#open_archive');
    await page.click('#open_archive');
    const confirm = await describeIn(page, '#dlg_confirm');
    await page.close();
    expect(open.selectors.aria).toBe('aria/Archive[role="button"]');
    const selectorsOf = (t: StepTarget) => recorderSelectors(t);
    expect(selectorsOf(open)).toEqual([['aria/Archive[role="button"]'], ['#open_archive'], ["xpath///*[@id='open_archive']"], ['xpath//html[1]/body[1]/main[1]/button[1]'], ['pierce/#open_archive']]);
    const replayPage = await env.browser.newPage();
    const recording = {
      title: 'archive project',
      steps: [
        { type: 'navigate' as const, url: `${env.base}/v1/modal.html` },
        { type: 'click' as const, selectors: selectorsOf(open), offsetX: 5, offsetY: 5 },
        { type: 'waitForElement' as const, selectors: selectorsOf(confirm) },
      ],
    };
    const runner = await createRunner(recording as never, new PuppeteerRunnerExtension(env.browser as never, replayPage as never, { timeout: 5000 }));
    const ok = await runner.run();
    const open2 = await replayPage.evaluate(() => (document.querySelector('dialog') as HTMLDialogElement).open);
    await replayPage.close();
    expect(ok).toBe(true);
    expect(open2).toBe(true);
  });
});

describe('Recorder selector forms in shadow roots', () => {
  it('the shadow chain replays with @puppeteer/replay', async () => {
    const page = await openPage(env, '/v1/shadow.html');
    const t = (await page.evaluate(() =>
      window.StepwiseGuideCore.describeElement(document.querySelector('date-picker')!.shadowRoot!.querySelector('button.today')!),
    )) as StepTarget;
    await page.close();
    const selectors = recorderSelectors(t);
    expect(selectors[0]).toEqual(['#due_picker', 'button.today']);
    const replayPage = await env.browser.newPage();
    await replayPage.goto(`${env.base}/v1/shadow.html`);
    await replayPage.evaluate(() => {
      const root = document.querySelector('date-picker')!.shadowRoot!;
      root.querySelector('button.today')!.addEventListener('click', () => ((root.querySelector('input') as HTMLInputElement).value = 'today'));
    });
    const runner = await createRunner(
      { title: 'pick today', steps: [{ type: 'click' as const, selectors: [selectors[0]], offsetX: 3, offsetY: 3 }] } as never,
      new PuppeteerRunnerExtension(env.browser as never, replayPage as never, { timeout: 5000 }),
    );
    const ok = await runner.run();
    const value = await replayPage.evaluate(() => (document.querySelector('date-picker')!.shadowRoot!.querySelector('input') as HTMLInputElement).value);
    await replayPage.close();
    expect(ok).toBe(true);
    expect(value).toBe('today');
  });
});

describe('privacy', () => {
  it('never captures a password or card number, in fields or HTML', async () => {
    const page = await openPage(env, '/v1/invoice.html');
    await page.type('#pw', 'hunter2-secret');
    await page.type('#card', '4111111111111111');
    await page.type('#invoice_number', 'INV-0042');
    const captured = await page.evaluate(() => {
      const G = window.StepwiseGuideCore;
      const out: unknown[] = [];
      for (const el of Array.from(document.querySelectorAll('input, select, button, p'))) {
        out.push(G.describeElement(el), G.captureValue(el), G.domContext(el));
      }
      out.push(G.sanitizedHtml(document.body, {}, 100_000));
      const rec = G.observeOutcome(document);
      document.body.insertAdjacentHTML('beforeend', '<div role="alert">Charged card 4111 1111 1111 1111</div>');
      const outcome = rec.finish(document.querySelector('#pw'));
      out.push(outcome);
      return [out, outcome.appeared.length];
    });
    const [all, appeared] = captured as [unknown[], number];
    expect(appeared).toBe(1); // the alert was recorded, its card number masked
    const json = JSON.stringify(all);
    await page.close();
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('4111111111111111');
    expect(json).not.toContain('4111 1111 1111 1111');
    expect(json).toContain('INV-0042'); // ordinary values are kept
    expect(json).toContain('"value_masked":true');
  });

  it('tells one-time codes from words that only contain "one time"', async () => {
    const page = await openPage(env, '/v1/invoice.html');
    const r = await page.evaluate(() => {
      const G = window.StepwiseGuideCore;
      document.body.insertAdjacentHTML('beforeend', '<label>Time zone <input id="team-zone" value="Europe/Paris"></label><label>One-time code <input id="otc" value="482913"></label><input id="onetime" name="onetime_token" value="x1">');
      return ['#team-zone', '#otc', '#onetime'].map((sel) => G.isSensitiveField(document.querySelector(sel)!));
    });
    await page.close();
    expect(r).toEqual([false, true, true]);
  });

  it('masks fields on the configurable deny-list', async () => {
    const page = await openPage(env, '/v1/invoice.html');
    await page.type('#amount', '1234.56');
    const r = await page.evaluate(() => {
      const G = window.StepwiseGuideCore;
      const el = document.querySelector('#amount')!;
      return { plain: G.captureValue(el), denied: G.captureValue(el, { denySelectors: ['[name=amount]'] }), meta: G.describeElement(el, { denySelectors: ['#amount'] }).element_meta.value_masked };
    });
    const texts = await page.evaluate(() => {
      document.querySelector('.actions')!.insertAdjacentHTML('beforeend', '<span class="secret-note">ACCT-77-SECRET</span><button id="reveal">Account <span class="secret-note">ACCT-77-SECRET</span></button>');
      const G = window.StepwiseGuideCore;
      const opts = { denySelectors: ['.secret-note'] };
      return JSON.stringify([G.describeElement(document.querySelector('#save_draft')!, opts), G.describeElement(document.querySelector('.actions')!, opts), G.domContext(document.querySelector('#save_draft')!, opts), G.describeElement(document.querySelector('#reveal')!, opts)]);
    });
    await page.close();
    expect(texts).not.toContain('ACCT-77');
    expect(texts).toContain('Create invoice'); // the rest of the text is still there
    expect(r.plain).toEqual({ input_value: '1234.56', value_masked: false });
    expect(r.denied).toEqual({ input_value: null, value_masked: true });
    expect(r.meta).toBe(true);
  });
});

describe('isMeaningfulInteraction', () => {
  it('keeps real interactions, retargets decorative children, drops keystrokes', async () => {
    const page = await openPage(env, '/v2/table.html');
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', `
        <div id="sw" role="switch" aria-checked="false"><span id="knob">•</span></div>
        <ul role="listbox"><li role="option" id="opt"><b id="optb">Paris</b></li></ul>
        <div id="plain"><span id="plainspan">just text</span></div>
        <input id="txt"><select id="sel"><option>a</option><option>b</option></select>
        <input type="checkbox" id="chk"><div id="ce" contenteditable="true">notes</div>
        <a href="#x" id="lnk"><span id="lnkspan">Go</span></a>
        <div id="card" tabindex="0"><h3 id="cardh">Open project</h3></div><div tabindex="-1"><span id="notab">x</span></div>`);
    });
    const r = await page.evaluate(() => {
      const G = window.StepwiseGuideCore;
      const $ = (s: string) => document.querySelector(s)!;
      const svg = document.querySelector('button svg')!;
      const ev = (type: string, key?: string) => (key ? new KeyboardEvent(type, { key }) : new Event(type));
      return {
        svgRetarget: G.meaningfulTarget(ev('click'), svg) === svg.closest('button'),
        switchKnob: G.meaningfulTarget(ev('click'), $('#knob')) === $('#sw'),
        option: G.meaningfulTarget(ev('click'), $('#optb')) === $('#opt'),
        linkSpan: G.meaningfulTarget(ev('click'), $('#lnkspan')) === $('#lnk'),
        focusableCard: G.meaningfulTarget(ev('click'), $('#cardh')) === $('#card'),
        notFocusable: G.isMeaningfulInteraction(ev('click'), $('#notab')),
        plain: G.isMeaningfulInteraction(ev('click'), $('#plainspan')),
        clickIntoText: G.isMeaningfulInteraction(ev('click'), $('#txt')),
        keystroke: G.isMeaningfulInteraction(ev('keydown', 'a'), $('#txt')),
        inputEvent: G.isMeaningfulInteraction(ev('input'), $('#txt')),
        enter: G.actionTypeOf(ev('keydown', 'Enter'), $('#txt')),
        blur: G.actionTypeOf(ev('blur'), $('#txt')),
        change: G.actionTypeOf(ev('change'), $('#sel')),
        checkboxClick: G.actionTypeOf(ev('click'), $('#chk')),
        checkboxChange: G.isMeaningfulInteraction(ev('change'), $('#chk')),
        editable: G.actionTypeOf(ev('blur'), $('#ce')),
        popstate: G.actionTypeOf(ev('popstate'), null),
        hashchange: G.actionTypeOf(ev('hashchange'), null),
      };
    });
    await page.close();
    expect(r).toEqual({
      svgRetarget: true, switchKnob: true, option: true, linkSpan: true, focusableCard: true, notFocusable: false, plain: false, clickIntoText: false,
      keystroke: false, inputEvent: false, enter: 'submit', blur: 'input_commit', change: 'select_change',
      checkboxClick: 'click', checkboxChange: false, editable: 'input_commit', popstate: 'navigate', hashchange: 'navigate',
    });
  });
});

describe('observeNavigation', () => {
  it('reports pushState, replaceState and fragment changes once each, until aborted', async () => {
    const page = await openPage(env, '/v1/spa.html');
    const seen = await page.evaluate(async () => {
      const out: string[] = [];
      const ctl = new AbortController();
      window.StepwiseGuideCore.observeNavigation(window, (e) => out.push(`${e.type} ${new URL(e.url).pathname}${new URL(e.url).hash}`), ctl.signal);
      (document.querySelector('#nav_reports') as HTMLElement).click();
      history.replaceState({}, '', '/v1/spa/reports?tab=2');
      history.replaceState({}, '', '/v1/spa/reports?tab=2'); // same URL: not a navigation
      // Each traversal completes with a popstate; wait for it rather than for a fixed time.
      const settled = (act: () => void) =>
        new Promise<void>((resolve) => {
          window.addEventListener('popstate', () => setTimeout(resolve, 0), { once: true });
          act();
        });
      await settled(() => (location.hash = '#totals'));
      await settled(() => history.back());
      await settled(() => history.back());
      ctl.abort();
      history.pushState({}, '', '/v1/spa/after-abort');
      return out;
    });
    await page.close();
    expect(seen).toEqual([
      'pushstate /v1/spa/reports',
      'replacestate /v1/spa/reports',
      'hashchange /v1/spa/reports#totals',
      'hashchange /v1/spa/reports', // back over a fragment change is a fragment change
      'popstate /v1/spa.html',
    ]);
  });
});

describe('pageStateHash', () => {
  it('is stable across visits and dynamic text, different between screens', async () => {
    const hashOf = async (url: string, mutate?: (p: Page) => Promise<void>) => {
      const page = await openPage(env, url);
      if (mutate) await mutate(page);
      const h = await page.evaluate(() => window.StepwiseGuideCore.pageStateHash(document));
      await page.close();
      return h;
    };
    const first = await hashOf('/v1/invoice.html', (p) =>
      p.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<h2>Invoice 1042 · 3 items</h2>')),
    );
    const again = await hashOf('/v1/invoice.html', async (p) => {
      await p.type('#invoice_number', 'INV-7');
      await p.evaluate(() => {
        document.querySelector('#status')!.textContent = 'Saved 3 minutes ago';
        document.querySelector('main')!.insertAdjacentHTML('beforeend', '<h2>Invoice 77 · 12 items</h2>');
      });
    });
    const table = await hashOf('/v1/table.html');
    const modalOpen = await hashOf('/v1/modal.html', (p) => p.click('#open_archive'));
    const modalClosed = await hashOf('/v1/modal.html');
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again).toBe(first);
    expect(table).not.toBe(first);
    expect(modalOpen).not.toBe(modalClosed);
  });
});

describe('expected outcome', () => {
  it('records a dialog that appeared and checks it on replay', async () => {
    const page = await openPage(env, '/v1/modal.html');
    const expected = await page.evaluate(async () => {
      const rec = window.StepwiseGuideCore.observeOutcome(document);
      (document.querySelector('#open_archive') as HTMLElement).click();
      await new Promise((r) => setTimeout(r, 50));
      return rec.finish(document.querySelector('#open_archive'));
    });
    await page.close();
    expect(expected.navigation).toBeNull();
    expect(expected.appeared.some((a) => a.role === 'dialog')).toBe(true);

    const replay = await openPage(env, '/v1/modal.html');
    const before = await replay.evaluate((e) => window.StepwiseGuideCore.checkOutcome(e, document), expected);
    await replay.click('#open_archive');
    const after = await replay.evaluate((e) => window.StepwiseGuideCore.checkOutcome(e, document), expected);
    await replay.close();
    expect(before.progressed).toBe(false);
    expect(after.progressed).toBe(true);
  });

  it('records a row that disappeared, told apart from the row that takes its place', async () => {
    const page = await openPage(env, '/v1/table.html');
    const expected = await page.evaluate(() => {
      const rec = window.StepwiseGuideCore.observeOutcome(document);
      document.querySelector('tbody tr:nth-child(2)')!.remove(); // "Delete Globex"
      return rec.finish(null);
    });
    await page.close();
    expect(expected.disappeared).toHaveLength(1);
    expect(expected.disappeared[0].text).toContain('Globex');

    const replay = await openPage(env, '/v1/table.html');
    const before = await replay.evaluate((e) => window.StepwiseGuideCore.checkOutcome(e, document), expected);
    await replay.evaluate(() => document.querySelector('tbody tr:nth-child(2)')!.remove());
    const after = await replay.evaluate((e) => window.StepwiseGuideCore.checkOutcome(e, document), expected);
    await replay.close();
    expect(before.progressed).toBe(false);
    expect(after.progressed).toBe(true);
  });

  it('records a client-side navigation and a kept value', async () => {
    const page = await openPage(env, '/v1/spa.html');
    const nav = await page.evaluate(async () => {
      const rec = window.StepwiseGuideCore.observeOutcome(document);
      (document.querySelector('#nav_reports') as HTMLElement).click();
      await new Promise((r) => setTimeout(r, 150));
      return rec.finish(null);
    });
    await page.close();
    expect(nav.navigation).toMatchObject({ same_document: true });
    expect(nav.navigation!.url_shape).toContain('/v1/spa/reports');
    expect(nav.appeared.some((a) => a.text === 'Reports')).toBe(true);

    const form = await openPage(env, '/v1/invoice.html');
    const value = await form.evaluate(() => {
      const rec = window.StepwiseGuideCore.observeOutcome(document);
      const el = document.querySelector('#invoice_number') as HTMLInputElement;
      el.value = 'INV-9';
      return rec.finish(el);
    });
    await form.close();
    expect(value.value).toEqual({ selector: '#invoice_number', value: 'INV-9', masked: false });
  });
});
