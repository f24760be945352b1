// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeElement } from '@stepwise/guide-core';
import type { CapturedStep } from '../shared/types';
import { watchInteraction } from './interaction.content';
import { initRecorder } from './recorder.content';

const always = () => true;

// jsdom has no CSS.escape (Chromium does); guide-core's selector builder uses it.
if (!(globalThis as { CSS?: { escape?: unknown } }).CSS?.escape) {
  (globalThis as unknown as { CSS: { escape: (s: string) => string } }).CSS = {
    escape: (s: string) => s.replace(/^(\d)/, '\\3$1 ').replace(/[^a-zA-Z0-9_\u00a0-\uffff-]/g, (c) => `\\${c}`),
  };
}

function html(body: string) {
  document.body.innerHTML = body;
}

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
  document.body.innerHTML = '';
});

describe('walkthrough interaction', () => {
  function setup(action: Parameters<typeof watchInteraction>[1]['action'], selector: string) {
    const ctl = new AbortController();
    controllers.push(ctl);
    const onCorrect = vi.fn();
    const onWrong = vi.fn();
    const host = document.createElement('stepwise-guide');
    document.documentElement.append(host);
    watchInteraction(window, { element: document.querySelector(selector)!, action, isOurs: (t) => t === host, onCorrect, onWrong, trusted: always }, ctl.signal);
    return { ctl, onCorrect, onWrong, host };
  }

  it('blocks a wrong click before the page sees it, and lets the right one through', () => {
    html('<button id="ok">Save</button><a id="away" href="#away">Elsewhere</a>');
    const page = vi.fn();
    document.addEventListener('click', page);
    const { onCorrect, onWrong, ctl } = setup('click', '#ok');
    const wrong = new MouseEvent('click', { bubbles: true, cancelable: true });
    document.querySelector('#away')!.dispatchEvent(wrong);
    expect(wrong.defaultPrevented).toBe(true);
    expect(page).not.toHaveBeenCalled();
    expect(onWrong).toHaveBeenCalledTimes(1);
    (document.querySelector('#ok') as HTMLButtonElement).click();
    expect(onCorrect).toHaveBeenCalledWith('click');
    expect(page).toHaveBeenCalledTimes(1);
    ctl.abort();
    document.removeEventListener('click', page);
  });

  it('never blocks clicks on our own overlay', () => {
    html('<button id="ok">Save</button>');
    const { onWrong, host } = setup('click', '#ok');
    const e = new MouseEvent('click', { bubbles: true, cancelable: true });
    host.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
    expect(onWrong).not.toHaveBeenCalled();
  });

  it("a click on the step's checkbox label (for= or wrapping) is the step, not a wrong click", () => {
    html('<input type="checkbox" id="terms"><label for="terms" id="l1">I agree</label><label id="l2"><input type="checkbox" id="news"> News</label><label for="other" id="l3">Other</label><input type="checkbox" id="other">');
    for (const [input, label] of [['#terms', '#l1'], ['#news', '#l2']] as const) {
      const { onCorrect, onWrong, ctl } = setup('click', input);
      const e = new MouseEvent('click', { bubbles: true, cancelable: true });
      document.querySelector(label)!.dispatchEvent(e);
      expect(e.defaultPrevented).toBe(false);
      expect(onWrong).not.toHaveBeenCalled();
      expect(onCorrect).toHaveBeenCalledWith('click');
      ctl.abort();
    }
    // Another control's label is still a wrong click.
    const { onCorrect, onWrong } = setup('click', '#terms');
    const e = new MouseEvent('click', { bubbles: true, cancelable: true });
    document.querySelector('#l3')!.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    expect(onWrong).toHaveBeenCalledTimes(1);
    expect(onCorrect).not.toHaveBeenCalled();
  });

  it('a click on a descendant of the step element counts', () => {
    html('<button id="ok"><svg><path id="icon" d="M0 0"/></svg><span id="txt">Save</span></button>');
    const { onCorrect, onWrong } = setup('click', '#ok');
    document.querySelector('#txt')!.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    expect(onWrong).not.toHaveBeenCalled();
    expect(onCorrect).toHaveBeenCalledWith('click');
  });

  it('an input step needs a committed value', () => {
    html('<input id="amount">');
    const { onCorrect } = setup('input_commit', '#amount');
    const input = document.querySelector('#amount') as HTMLInputElement;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    expect(onCorrect).not.toHaveBeenCalled();
    input.value = '42';
    input.dispatchEvent(new Event('change', { bubbles: true }));
    expect(onCorrect).toHaveBeenCalledWith('change');
  });

  it('a select step advances on change, a submit step on the form submitting', () => {
    html('<form id="f"><select id="v"><option>a</option><option>b</option></select><button id="go">Go</button></form>');
    const sel = setup('select_change', '#v');
    document.querySelector('#v')!.dispatchEvent(new Event('change', { bubbles: true }));
    expect(sel.onCorrect).toHaveBeenCalledTimes(1);
    sel.ctl.abort();
    const sub = setup('submit', '#f');
    document.querySelector('#f')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(sub.onCorrect).toHaveBeenCalledWith('submit');
  });

  it('stops listening when the step ends', () => {
    html('<button id="ok">Save</button><p id="p">text</p>');
    const { ctl, onWrong } = setup('click', '#ok');
    ctl.abort();
    const e = new MouseEvent('click', { bubbles: true, cancelable: true });
    document.querySelector('#p')!.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
    expect(onWrong).not.toHaveBeenCalled();
  });
});

describe('recorder', () => {
  function record() {
    const steps: CapturedStep[] = [];
    const log: string[] = [];
    const ctl = new AbortController();
    controllers.push(ctl);
    const own = document.createElement('stepwise-recorder');
    document.documentElement.append(own);
    const handle = initRecorder(
      window,
      {
        paused: false,
        recordNavigation: false,
        isOurs: (t) => t === own,
        emit: (s) => {
          steps.push(s);
          log.push(`step ${s.client_id}`);
        },
        emitOutcome: (id) => log.push(`outcome ${id}`),
        trusted: always,
      },
      ctl.signal,
    );
    return { steps, log, ctl, own, handle };
  }
  const change = (el: Element) => el.dispatchEvent(new Event('change', { bubbles: true }));
  /** Steps are delivered by a task after their event. */
  const delivered = async (steps: CapturedStep[], n: number) => vi.waitFor(() => expect(steps).toHaveLength(n));

  it('records clicks, committed values and submits, and the page still gets every event', async () => {
    html(`<form id="f" onsubmit="return false"><label for="e">Email</label><input id="e" name="email">
      <label for="p">Password</label><input id="p" type="password" name="password">
      <select id="v" name="vendor"><option>ABC</option><option>Globex</option></select>
      <button id="go" type="submit">Sign in</button></form><button id="other" type="button">Help</button><div id="plain">text</div>`);
    const pageClicks = vi.fn();
    document.addEventListener('click', pageClicks);
    const { steps, ctl } = record();
    const email = document.querySelector('#e') as HTMLInputElement;
    email.value = 'ada@example.com';
    change(email);
    change(email); // same value again: one commit
    const pw = document.querySelector('#p') as HTMLInputElement;
    pw.value = 'hunter2-secret';
    change(pw);
    const vendor = document.querySelector('#v') as HTMLSelectElement;
    vendor.value = 'Globex';
    change(vendor);
    (document.querySelector('#plain') as HTMLElement).click(); // not meaningful
    (document.querySelector('#other') as HTMLElement).click();
    (document.querySelector('#go') as HTMLElement).click();
    await delivered(steps, 5);
    expect(steps.map((s) => s.action_type)).toEqual(['input_commit', 'input_commit', 'select_change', 'click', 'submit']);
    expect(steps[0]!.action_data?.input_value).toBe('ada@example.com');
    expect(steps[1]!.action_data).toMatchObject({ input_value: null, value_masked: true });
    expect(JSON.stringify(steps)).not.toContain('hunter2-secret');
    expect(steps[2]!.action_data?.input_value).toBe('Globex');
    expect(steps[4]!.action_data?.submit_key).toBe('button_click');
    expect(steps[0]!.selectors.primary).toBe('#e');
    expect(steps[0]!.page_context.page_state_hash).toMatch(/^sha256:/);
    expect(new Set(steps.map((s) => s.client_id)).size).toBe(5);
    expect(pageClicks).toHaveBeenCalledTimes(3);
    ctl.abort();
    document.removeEventListener('click', pageClicks);
  });

  it('Enter in a field records its value, then the submit, once', async () => {
    html('<form onsubmit="return false"><input id="q" name="q"></form>');
    const { steps } = record();
    const q = document.querySelector('#q') as HTMLInputElement;
    q.value = 'invoices';
    q.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    change(q);
    q.form!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await delivered(steps, 2);
    expect(steps.map((s) => [s.action_type, s.action_data?.submit_key ?? null])).toEqual([
      ['input_commit', null],
      ['submit', 'enter'],
    ]);
  });

  it('ignores its own control, scripted events and everything while paused', async () => {
    html('<button id="b">Save</button>');
    const steps: CapturedStep[] = [];
    const own = document.createElement('stepwise-recorder');
    document.documentElement.append(own);
    const untrustedCtl = new AbortController();
    controllers.push(untrustedCtl);
    initRecorder(window, { paused: false, recordNavigation: false, isOurs: (t) => t === own, emit: (s) => steps.push(s), emitOutcome: () => {} }, untrustedCtl.signal);
    (document.querySelector('#b') as HTMLElement).click(); // untrusted: a script, not a person
    expect(steps).toHaveLength(0);
    const r = record();
    r.own.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    r.handle.setPaused(true);
    (document.querySelector('#b') as HTMLElement).click();
    expect(r.steps).toHaveLength(0);
    r.handle.setPaused(false);
    (document.querySelector('#b') as HTMLElement).click();
    await delivered(r.steps, 1);
    expect(steps).toHaveLength(0);
  });

  it('delivers a step after its event, as describeElement saw the element at the event', async () => {
    html('<main><button id="menu" class="toggle" aria-expanded="false">Menu</button><p>Around</p></main>');
    const { steps } = record();
    const menu = document.querySelector('#menu') as HTMLElement;
    const atEvent = describeElement(menu);
    // The page's own handler changes the element and its surroundings right after our listener.
    const page = () => {
      menu.setAttribute('aria-expanded', 'true');
      menu.textContent = 'Close';
      menu.after(Object.assign(document.createElement('ul'), { textContent: 'Item' }));
    };
    menu.addEventListener('click', page);
    menu.click();
    expect(steps).toHaveLength(0); // not inside the event
    await delivered(steps, 1);
    expect(steps[0]!.selectors).toEqual(atEvent.selectors);
    expect(steps[0]!.element_meta).toEqual(atEvent.element_meta);
    expect(steps[0]!.element_meta.inner_text).toBe('Menu');
    expect(steps[0]!.dom_context?.element_html).toContain('aria-expanded="false"');
    menu.removeEventListener('click', page);
  });

  it('keeps a step whose element the page removes at once (a Delete button)', async () => {
    html('<table><tbody><tr id="r1"><td><button id="del" type="button">Delete row</button></td></tr></tbody></table>');
    const { steps } = record();
    const del = document.querySelector('#del') as HTMLElement;
    const atEvent = describeElement(del);
    del.addEventListener('click', () => document.querySelector('#r1')!.remove());
    del.click();
    await delivered(steps, 1);
    expect(steps[0]!.selectors).toEqual(atEvent.selectors);
    expect(steps[0]!.selectors.css).toBe('#del');
    expect(steps[0]!.dom_context?.parent_html).toContain('<td>');
  });

  it('a page that goes away right after a click still delivers the complete step, then its outcome', () => {
    html('<a id="next" href="#next-page">Next page</a>');
    const { steps, log } = record();
    (document.querySelector('#next') as HTMLElement).click();
    // Navigation: pagehide comes before any later task of this document could run.
    window.dispatchEvent(new Event('pagehide'));
    expect(steps).toHaveLength(1);
    expect(steps[0]!.selectors.primary).toBeTruthy();
    expect(steps[0]!.selectors.aria).toBe('aria/Next page[role="link"]');
    expect(log).toEqual([`step ${steps[0]!.client_id}`, `outcome ${steps[0]!.client_id}`]);
  });

  it('delivers steps and outcomes in the order they happened, also when events come faster than tasks', async () => {
    html('<button id="a">One</button><button id="b">Two</button><button id="c">Three</button>');
    const { steps, log, handle } = record();
    for (const id of ['#a', '#b', '#c']) (document.querySelector(id) as HTMLElement).click();
    await delivered(steps, 3);
    expect(steps.map((s) => s.element_meta.inner_text)).toEqual(['One', 'Two', 'Three']);
    const [a, b, c] = steps.map((s) => s.client_id);
    expect(log).toEqual([`step ${a}`, `outcome ${a}`, `step ${b}`, `outcome ${b}`, `step ${c}`]);
    handle.setPaused(true); // a pause ends the last outcome and delivers it at once
    expect(log.at(-1)).toBe(`outcome ${c}`);
  });
});
