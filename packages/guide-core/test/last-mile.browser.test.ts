// The last mile of locate, in Chromium on small pages written here: selector hits verified
// against the fingerprint, recorded look-alikes never taken for a removed element, variants tried
// in order, a hidden target returned with what opens it, neighbours moving together, closed
// shadow roots through the caller's accessor, a checkbox drawn by its label.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openEnv, openPage, type Env } from './browser.js';
import fs from 'node:fs';
import { IIFE } from './browser.js';

let env: Env;
let code: string;
beforeAll(async () => {
  env = await openEnv();
  code = fs.readFileSync(IIFE, 'utf8');
}, 60_000);
afterAll(async () => {
  await env?.close();
});

async function pageWith(html: string): Promise<Page> {
  const page = await env.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.setContent(`<!doctype html><html lang="en"><head><meta charset="utf-8"><style>body{font:14px sans-serif}</style></head><body>${html}</body></html>`);
  await page.evaluate(code);
  return page;
}

/** Records `selector` on `v1`, then locates it on `v2`; `want` is what locate should return. */
async function recordThenLocate(v1: string, selector: string, v2: string, opts: Record<string, unknown> = {}, extra = '') {
  const p1 = await pageWith(v1);
  const target = await p1.evaluate((s) => window.StepwiseGuideCore.describeElement(document.querySelector(s)!), selector);
  await p1.close();
  const p2 = await pageWith(v2);
  const r = await p2.evaluate(
    async (t, o, x) => {
      const gc = window.StepwiseGuideCore;
      const opts = { timeoutMs: 600, quietMs: 100, ...(o as object) } as Record<string, unknown>;
      if (x) new Function('opts', 'target', x)(opts, t);
      const res = await gc.locate(t, document, opts);
      const id = (e: Element | null | undefined) => (e ? e.getAttribute('data-t') : null);
      return {
        element: id(res.element),
        method: res.method,
        reason: res.reason ?? null,
        ask: id(res.ask?.element),
        hidden: id(res.hidden?.candidate.element),
        opener: id(res.hidden?.opener?.element),
        openerHow: res.hidden?.opener?.how ?? null,
        variant: res.variant ?? null,
        disputed: (res.disputed ?? []).map((d) => d.reason),
        top: res.candidates.slice(0, 3).map((c) => [id(c.element), c.score]),
      };
    },
    target,
    opts,
    extra,
  );
  await p2.close();
  return { target, r };
}

describe('a selector hit is verified against the fingerprint', () => {
  it('a positional selector now hitting another element is disputed, not a match', async () => {
    const v1 = '<main><header><div class="meta"><a href="/status" data-t="status">At risk</a> <a href="/u/dana" data-t="owner">Dana</a></div></header></main>';
    const v2 = '<main><header><div class="meta"><a href="/u/dana" data-t="owner">Dana Whitfield</a></div></header></main>';
    const { r } = await recordThenLocate(v1, '[data-t=status]', v2);
    expect(r.element).toBeNull();
    expect(r.disputed).toContain('text');
  });

  it('a removed breadcrumb link is never found as the sidebar link with the same name', async () => {
    const side = '<nav aria-label="Workspace"><a href="/projects" data-t="side">Projects</a> <a href="/tasks">My tasks</a> <a href="/cal">Calendar</a></nav>';
    const v1 = `${side}<main><nav aria-label="Breadcrumb"><a href="/">Home</a> / <a href="/projects" data-t="crumb">Projects</a> / <span>Apollo</span></nav><h1>Apollo</h1></main>`;
    const v2 = `${side}<main><h1>Apollo</h1></main>`;
    const { target, r } = await recordThenLocate(v1, '[data-t=crumb]', v2);
    expect(target.element_meta.lookalikes?.length).toBe(1);
    expect(r.element).toBeNull();
    expect(r.ask).toBeNull();
    expect(r.top.map((t) => t[0])).not.toContain('side');
  });

  it('a select is not disputed because another option is chosen now', async () => {
    const v1 = '<label for="v">Vendor</label><select id="v" data-t="sel"><option>Choose</option><option selected>Globex</option></select>';
    const v2 = '<label for="v">Vendor</label><select id="v" data-t="sel"><option selected>Choose</option><option>Globex</option></select>';
    const { r } = await recordThenLocate(v1, '[data-t=sel]', v2);
    expect(r).toMatchObject({ element: 'sel', method: 'selector' });
  });
});

describe('selector variants', () => {
  it('tries every variant in order, and a later one finds the element when the recorded one does not', async () => {
    const v1 = '<button id="save_page" data-t="a">Save page</button>';
    const v2 = '<div class="toolbar"><button class="primary-action" data-t="b">Save</button><button data-t="c">Discard</button></div>';
    const { r } = await recordThenLocate(v1, '[data-t=a]', v2, {}, `opts.variants = [{ selectors: target.selectors }, { selectors: { primary: 'button.primary-action' }, element_meta: null }];`);
    expect(r).toMatchObject({ element: 'b', method: 'selector', variant: 1 });
  });

  it("a colleague's unconfirmed variant is asked about, never used", async () => {
    const v1 = '<button id="send" data-t="a">Send invoice</button>';
    const v2 = '<div><button class="x2" data-t="c">Send copy</button><button class="x1" data-t="b">Send</button></div>';
    const { r } = await recordThenLocate(v1, '[data-t=a]', v2, {}, `opts.suggestions = [{ selectors: { primary: 'button.x1' }, element_meta: null }];`);
    expect(r.element).toBeNull();
    expect(r.ask).toBe('b');
  });
});

describe('hidden targets are returned with what opens them', () => {
  const cases: [string, string, string, string][] = [
    [
      'a closed menu (aria-controls)',
      '<header><a href="/settings" data-t="x">Settings</a></header>',
      '<header><button aria-controls="um" aria-expanded="false" aria-haspopup="menu" data-t="open">Ada Lovelace</button><div id="um" hidden><a href="/settings" data-t="x">Settings</a><a href="/out">Sign out</a></div></header>',
      'controls',
    ],
    [
      'an unselected tab',
      '<main><button data-t="x">Update payment method</button></main>',
      '<main><div role="tablist"><button role="tab" id="t1" aria-controls="p1" aria-selected="true">Profile</button><button role="tab" id="t2" aria-controls="p2" aria-selected="false" data-t="open">Billing</button></div><div role="tabpanel" id="p1" aria-labelledby="t1"><p>Profile</p></div><div role="tabpanel" id="p2" aria-labelledby="t2" hidden><button data-t="x">Update payment method</button></div></main>',
      'tab',
    ],
    [
      'a closed <details>',
      '<main><button data-t="x">Regenerate API key</button></main>',
      '<main><details><summary data-t="open">Advanced</summary><button data-t="x">Regenerate API key</button></details></main>',
      'summary',
    ],
    [
      'a CSS checkbox toggle',
      '<nav><a href="/audit" data-t="x">Audit log</a></nav>',
      '<style>#nt:not(:checked) ~ .drawer{display:none}</style><input type="checkbox" id="nt" style="position:absolute;left:-9999px"><label for="nt" data-t="open">Open navigation</label><nav class="drawer"><a href="/audit" data-t="x">Audit log</a><a href="/users">Users</a></nav>',
      'toggle',
    ],
  ];
  for (const [name, v1, v2, how] of cases) {
    it(name, async () => {
      const { r } = await recordThenLocate(v1, '[data-t=x]', v2);
      expect(r).toMatchObject({ element: null, reason: 'hidden', hidden: 'x', opener: 'open', openerHow: how });
    });
  }

  it('the recorded element itself, hidden in a menu, beats a look-alike in view', async () => {
    const v1 = '<header><a id="account-settings" href="/settings" data-t="x">Settings</a></header><footer><a href="/help">Help</a></footer>';
    const v2 = '<header><button aria-controls="um" aria-expanded="false" data-t="open">Ada</button><div id="um" hidden><a id="account-settings" href="/settings" data-t="x">Settings</a></div></header><footer><a href="/settings" data-t="other">Settings</a></footer>';
    const { r } = await recordThenLocate(v1, '[data-t=x]', v2);
    expect(r).toMatchObject({ element: null, reason: 'hidden', hidden: 'x', opener: 'open' });
  });

  it('a details inside an unselected tab: the tab first', async () => {
    const v1 = '<main><button data-t="x">Regenerate API key</button></main>';
    const v2 = '<main><button role="tab" id="t2" aria-controls="p2" data-t="open">Security</button><div role="tabpanel" id="p2" aria-labelledby="t2" hidden><details><summary>Advanced</summary><button data-t="x">Regenerate API key</button></details></div></main>';
    const { r } = await recordThenLocate(v1, '[data-t=x]', v2);
    expect(r).toMatchObject({ reason: 'hidden', hidden: 'x', opener: 'open', openerHow: 'tab' });
  });
});

describe('neighbours move together', () => {
  it("the button next to where the previous step's field went wins over a look-alike elsewhere", async () => {
    const v1 = '<main><form class="search"><input name="q" data-t="q"><button data-t="go">Search</button></form><section><button>Find</button></section></main>';
    const v2 = '<main><section><button data-t="far">Find</button></section><div class="filters"><div class="bar"><input name="query" data-t="q2"><button class="icon" aria-label="Go" data-t="near"><svg width="10" height="10"></svg></button></div></div></main>';
    const p1 = await pageWith(v1);
    const targets = await p1.evaluate(() => [window.StepwiseGuideCore.describeElement(document.querySelector('[data-t=q]')!), window.StepwiseGuideCore.describeElement(document.querySelector('[data-t=go]')!)]);
    await p1.close();
    const p2 = await pageWith(v2);
    const r = await p2.evaluate(async ([prev, t]) => {
      const gc = window.StepwiseGuideCore;
      const id = (e: Element | null | undefined) => (e ? e.getAttribute('data-t') : null);
      const without = await gc.locate(t, document, { timeoutMs: 300, quietMs: 50 });
      const withN = await gc.locate(t, document, { timeoutMs: 300, quietMs: 50, neighbour: { element: document.querySelector('[data-t=q2]')!, target: prev } });
      const best = (x: typeof without) => id(x.element ?? x.ask?.element ?? x.candidates[0]?.element);
      return { without: best(without), with: best(withN), withScore: withN.candidates[0]?.score, levels: gc.recordedLevels(prev, t) };
    }, targets);
    await p2.close();
    expect(r.levels).toBe(1);
    expect(r.with).toBe('near');
  });
});

describe('closed shadow roots and labels', () => {
  it("finds an element in a closed shadow root through the caller's accessor", async () => {
    const define = `<script>window.__roots = new WeakMap(); customElements.define('pay-button', class extends HTMLElement { constructor() { super(); const r = this.attachShadow({ mode: 'closed' }); window.__roots.set(this, r); r.innerHTML = '<button data-t="pay">Place order</button>'; } });</script>`;
    const page = await pageWith(`${define}<pay-button></pay-button>`);
    const r = await page.evaluate(async () => {
      const gc = window.StepwiseGuideCore;
      const w = window as unknown as { __roots: WeakMap<Element, ShadowRoot> };
      const host = document.querySelector('pay-button')!;
      const target = gc.describeElement(w.__roots.get(host)!.querySelector('button')!);
      const open = await gc.locate(target, document, { timeoutMs: 300, quietMs: 50 });
      const closed = await gc.locate(target, document, { timeoutMs: 300, quietMs: 50, shadowRoot: (h: Element) => h.shadowRoot ?? w.__roots.get(h) ?? null });
      return { chain: target.selectors.shadow_chain, inClosed: target.selectors.in_closed_shadow, open: !!open.element, closed: closed.element?.getAttribute('data-t') ?? null, method: closed.method };
    });
    await page.close();
    expect(r.chain?.length).toBe(2);
    expect(r.inClosed).toBe(true);
    expect(r.open).toBe(false);
    expect(r).toMatchObject({ closed: 'pay', method: 'selector' });
  });

  it("the only field of the recorded component is asked about when a redesign renamed and relabelled it", async () => {
    // A vendor's coupon box (closed root in v2) whose one field changed its name, label and
    // placeholder; a customer-reference field of the same kind sits beside it.
    const box = (mode: string, field: string) =>
      `<script>window.__roots = new WeakMap(); customElements.define('coupon-box', class extends HTMLElement { connectedCallback() { const r = this.attachShadow({ mode: '${mode}' }); window.__roots.set(this, r); r.innerHTML = '${field}<button type="button">Apply</button>'; } });</script>`;
    const v1 = `${box('open', '<input name="coupon" placeholder="Coupon code" aria-label="Coupon code" data-t="coupon">')}<form><label>Customer reference <input name="customer_ref" data-t="ref1"></label><coupon-box></coupon-box></form>`;
    const v2 = `${box('closed', '<label>Promo code<input name="promo_code" data-t="promo"></label>')}<form><label>Customer PO number <input name="customer_ref" data-t="ref2"></label><coupon-box></coupon-box></form>`;
    const p1 = await pageWith(v1);
    const target = await p1.evaluate(() => window.StepwiseGuideCore.describeElement(document.querySelector('coupon-box')!.shadowRoot!.querySelector('input')!));
    await p1.close();
    expect(target.selectors.shadow_chain?.length).toBe(2);
    const p2 = await pageWith(v2);
    const r = await p2.evaluate(async (t) => {
      const gc = window.StepwiseGuideCore;
      const w = window as unknown as { __roots: WeakMap<Element, ShadowRoot> };
      const res = await gc.locate(t, document, { timeoutMs: 300, quietMs: 50, shadowRoot: (h: Element) => h.shadowRoot ?? w.__roots.get(h) ?? null });
      return { element: res.element?.getAttribute('data-t') ?? null, ask: res.ask?.element.getAttribute('data-t') ?? null, score: res.ask?.score ?? null };
    }, target);
    await p2.close();
    // A question (never a heal on this alone), about the component's field, not the one beside it.
    expect(r).toMatchObject({ element: null, ask: 'promo' });
    expect(r.score).toBeGreaterThanOrEqual(60);
    expect(r.score).toBeLessThan(80);
  });

  it('a frame whose selector no longer matches is found again by its recorded address', async () => {
    // Two same-origin frames with a VAT field each; the recorded frame lost its id.
    const page = await openPage(env, '/v1/frame.html');
    await page.evaluate(() => {
      const f = document.createElement('iframe');
      f.src = '/v2/frame-inner.html';
      document.querySelector('main')!.append(f);
    });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('iframe')).every((f) => f.contentDocument?.querySelector('input[name=vat]')));
    const r = await page.evaluate(async (base) => {
      const gc = window.StepwiseGuideCore;
      const second = document.querySelectorAll('iframe')[1]!.contentDocument!.querySelector('input[name=vat]')!;
      const t = gc.describeElement(second);
      const moved = (urls: string[] | null) => ({ ...t, selectors: { ...t.selectors, primary: 'input[name="vat"]', css: 'input[name="vat"]', frame_path: ['iframe#gone'], frame_urls: urls } });
      const withUrl = await gc.locate(moved([`${base}/v2/frame-inner.html`]), document, { timeoutMs: 300, quietMs: 50, heal: false });
      const without = await gc.locate(moved(null), document, { timeoutMs: 300, quietMs: 50, heal: false });
      return { urls: t.selectors.frame_urls, withUrl: withUrl.element?.id ?? null, without: without.element?.id ?? null };
    }, env.base);
    await page.close();
    expect(r.urls).toEqual([`${env.base}/v2/frame-inner.html`]);
    expect(r.withUrl).toBe('vat-2');
    expect(r.without).toBe('vat'); // every frame searched, the first one's field taken
  });

  it('a checkbox hidden under its label is usable through the label', async () => {
    const html = '<input type="checkbox" id="agree" style="display:none" data-t="box"><label for="agree" data-t="lbl">I agree to the terms</label>';
    const { r } = await recordThenLocate(html, '[data-t=box]', html);
    expect(r).toMatchObject({ element: 'box', method: 'selector' });
  });
});
