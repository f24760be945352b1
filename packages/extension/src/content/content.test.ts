// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeElement } from '@stepwise/guide-core';
import type { CapturedStep } from '../shared/types';
import { answerFrameRequest, indexInParent, indexPath } from './frame.content';
import { watchInteraction } from './interaction.content';
import { initRecorder } from './recorder.content';
import { deepTarget, rootsOf, within } from './shadow.content';

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
    // Whose value each is: the email and the masked password are the colleague's own, the vendor
    // is the task's; clicks and submits take no value.
    expect(steps.map((s) => s.action_data?.value_kind ?? null)).toEqual(['personal', 'personal', 'fixed', null, null]);
    expect(steps[4]!.action_data?.submit_key).toBe('button_click');
    expect(steps[0]!.selectors.primary).toBe('#e');
    expect(steps[0]!.page_context.page_state_hash).toMatch(/^sha256:/);
    expect(new Set(steps.map((s) => s.client_id)).size).toBe(5);
    expect(pageClicks).toHaveBeenCalledTimes(3);
    ctl.abort();
    document.removeEventListener('click', pageClicks);
  });

  it('records whose value a field takes: made-up titles and text are free, a code no rule knows is fixed', async () => {
    html(`<form onsubmit="return false"><label for="t">Page title</label><input id="t" name="title">
      <textarea id="body" aria-label="Body"></textarea><input id="s" type="search" aria-label="Find">
      <input id="code" aria-label="Discount code"><input id="u" autocomplete="username" aria-label="Who">
      <input id="agree" type="checkbox" aria-label="Agree"></form>`);
    const { steps } = record();
    for (const [sel, value] of [['#t', 'Q3 Report'], ['#body', 'Notes for the team'], ['#s', 'invoices'], ['#code', 'WINTER10'], ['#u', 'ada']] as const) {
      const el = document.querySelector(sel) as HTMLInputElement;
      el.value = value;
      change(el);
    }
    (document.querySelector('#agree') as HTMLInputElement).click();
    await delivered(steps, 6);
    expect(steps.map((s) => [s.action_type, s.action_data?.value_kind ?? null])).toEqual([
      ['input_commit', 'free'],
      ['input_commit', 'free'],
      ['input_commit', 'free'],
      ['input_commit', 'fixed'],
      ['input_commit', 'personal'],
      ['click', null],
    ]);
  });

  it("a click on a checkbox's label is one step on the checkbox (the click the browser forwards to it is not a second)", async () => {
    html('<input type="checkbox" id="terms" name="terms"><label for="terms" id="l">I agree</label><label id="w"><input type="checkbox" id="news"> News</label>');
    const { steps } = record();
    // jsdom, like Chromium, forwards a label's click to its control.
    (document.querySelector('#l') as HTMLElement).click();
    (document.querySelector('#w') as HTMLElement).click();
    (document.querySelector('#terms') as HTMLElement).click(); // a click on the box itself
    await delivered(steps, 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toHaveLength(3);
    expect(steps.map((s) => s.selectors.primary)).toEqual(['#terms', '#news', '#terms']);
    expect((document.querySelector('#terms') as HTMLInputElement).checked).toBe(false);
  });

  it("a label's forwarded click stays one step however long the page's own click handler takes", async () => {
    html('<input type="checkbox" id="slow"><label for="slow" id="sl">Slow to answer</label>');
    // The page's handler busies the main thread past any time window before the forwarded click.
    document.querySelector('#sl')!.addEventListener('click', () => {
      const until = performance.now() + 150;
      while (performance.now() < until) { /* busy */ }
    });
    const { steps } = record();
    (document.querySelector('#sl') as HTMLElement).click();
    await delivered(steps, 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(steps.map((s) => s.selectors.primary)).toEqual(['#slow']);
    // A click on the box in a later task is a step of its own again.
    (document.querySelector('#slow') as HTMLElement).click();
    await delivered(steps, 2);
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

describe('recorder in shadow roots', () => {
  /** Hosts whose roots the test may open (as chrome.dom.openOrClosedShadowRoot does for a content script). */
  const closedRoots = new WeakMap<Element, ShadowRoot>();
  const shadowOf = (h: Element) => h.shadowRoot ?? closedRoots.get(h) ?? null;

  function host(parent: ParentNode, tag: string, mode: 'open' | 'closed', inner: string): ShadowRoot {
    const el = document.createElement(tag);
    parent.append(el);
    const root = el.attachShadow({ mode });
    if (mode === 'closed') closedRoots.set(el, root);
    root.innerHTML = inner;
    return root;
  }

  function record() {
    const steps: CapturedStep[] = [];
    const ctl = new AbortController();
    controllers.push(ctl);
    initRecorder(window, { paused: false, recordNavigation: false, isOurs: () => false, emit: (s) => steps.push(s), emitOutcome: () => {}, trusted: always, shadowRoot: shadowOf }, ctl.signal);
    return steps;
  }
  const delivered = async (steps: CapturedStep[], n: number) => vi.waitFor(() => expect(steps).toHaveLength(n));
  /** Focus moves into the field the way a person's click or Tab does (focusin is composed). */
  const focus = (el: HTMLElement) => el.focus();

  it('hears change inside nested open roots (it never reaches the window) and records the field', async () => {
    const outer = host(document.body, 'order-form', 'open', '');
    const inner = host(outer, 'sw-select', 'open', '<label for="s">Shipping</label><select id="s" name="shipping"><option value="standard">Standard</option><option value="express">Express</option></select>');
    const steps = record();
    const select = inner.querySelector('select')!;
    const windowChanges = vi.fn();
    window.addEventListener('change', windowChanges, true);
    focus(select);
    select.value = 'express';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await delivered(steps, 1);
    window.removeEventListener('change', windowChanges, true);
    expect(windowChanges).not.toHaveBeenCalled();
    expect(steps[0]!.action_type).toBe('select_change');
    expect(steps[0]!.action_data?.input_value).toBe('Express');
    expect(steps[0]!.selectors.shadow_chain).toHaveLength(3);
    expect(steps[0]!.selectors.in_closed_shadow).toBe(false);
  });

  it('commits a text field in a closed root on change, or on focusout when no change was heard; once', async () => {
    const root = host(document.body, 'coupon-box', 'closed', '<input name="coupon" aria-label="Coupon code"><button type="button">Apply</button>');
    const steps = record();
    const input = root.querySelector('input')!;
    focus(input);
    input.value = 'WINTER10';
    input.dispatchEvent(new Event('change', { bubbles: true }));
    input.blur();
    await delivered(steps, 1);
    expect(steps[0]!.action_type).toBe('input_commit');
    expect(steps[0]!.action_data?.input_value).toBe('WINTER10');
    expect(steps[0]!.selectors.in_closed_shadow).toBe(true);
    expect(steps[0]!.selectors.shadow_chain).toEqual(['coupon-box', 'input[name="coupon"]']);
    // No change event at all (a root first met when it lost focus): its focusout commits it.
    focus(input);
    input.value = 'SPRING5';
    input.blur();
    await delivered(steps, 2);
    expect(steps[1]!.action_data?.input_value).toBe('SPRING5');
  });

  it('records a keyboard click inside a closed root on the focused element, not on the host', async () => {
    const root = host(document.body, 'pay-button', 'closed', '<button type="button" class="pay">Place order</button>');
    const steps = record();
    const button = root.querySelector('button')!;
    focus(button);
    button.click(); // detail 0: the element with focus is where it happened
    await delivered(steps, 1);
    expect(steps[0]!.action_type).toBe('click');
    expect(steps[0]!.element_meta.tag_name).toBe('BUTTON');
    expect(steps[0]!.element_meta.inner_text).toBe('Place order');
    expect(steps[0]!.selectors.in_closed_shadow).toBe(true);
  });
});

describe('frames: the iframe element that holds a child frame', () => {
  it("is found by the child's index in window.frames, and named by a selector from its document", () => {
    html('<iframe id="content-frame" name="content"></iframe><div id="w"></div><iframe class="ad"></iframe>');
    const host = document.querySelector('#w')!.attachShadow({ mode: 'closed' });
    host.innerHTML = '<iframe name="inner"></iframe>';
    const [first, second] = Array.from(document.querySelectorAll('iframe'));
    expect(window.frames[0]).toBe((first as HTMLIFrameElement).contentWindow);
    expect(indexInParent((second as HTMLIFrameElement).contentWindow!)).toBe(1);
    expect(indexPath((first as HTMLIFrameElement).contentWindow!)).toEqual([0]);
    expect(indexPath(window)).toEqual([]);
    const a = answerFrameRequest({ type: 'frame/child-selector', index: 0, url: '' });
    expect(a).toEqual({ selector: '#content-frame' });
    expect(answerFrameRequest({ type: 'frame/resolve', selector: '#content-frame' })).toEqual({ index: 0 });
    expect(answerFrameRequest({ type: 'frame/resolve', selector: 'iframe' })).toEqual({ index: null }); // not one
    expect(answerFrameRequest({ type: 'frame/child-selector', index: 7, url: 'https://nowhere.test/x' })).toEqual({ selector: null });
  });
});

describe('walkthrough interaction in shadow roots', () => {
  it('a click inside a closed root (seen on its host) is the step when the real target is the element; change is heard in the root', () => {
    const hostEl = document.createElement('pay-button');
    document.body.append(hostEl);
    const root = hostEl.attachShadow({ mode: 'closed' });
    root.innerHTML = '<button>Place order</button><input name="promo">';
    const button = root.querySelector('button')!;
    const input = root.querySelector('input')!;
    const ctl = new AbortController();
    controllers.push(ctl);
    const onCorrect = vi.fn();
    const onWrong = vi.fn();
    // What the content script finds with chrome.dom.openOrClosedShadowRoot: here, the button.
    let real: Element | null = button;
    watchInteraction(window, { element: button, action: 'click', isOurs: () => false, onCorrect, onWrong, trusted: always, resolveTarget: () => real }, ctl.signal);
    real = document.body; // first a click elsewhere on the host's page: blocked
    const wrong = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
    hostEl.dispatchEvent(wrong);
    expect(wrong.defaultPrevented).toBe(true);
    expect(onWrong).toHaveBeenCalledTimes(1);
    real = button;
    button.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, composed: true }));
    expect(onCorrect).toHaveBeenCalledWith('click');
    ctl.abort();

    const ctl2 = new AbortController();
    controllers.push(ctl2);
    const committed = vi.fn();
    watchInteraction(window, { element: input, action: 'input_commit', isOurs: () => false, onCorrect: committed, onWrong: () => {}, trusted: always, resolveTarget: () => input }, ctl2.signal);
    input.value = 'WINTER10';
    input.dispatchEvent(new Event('change', { bubbles: true })); // not composed: never reaches the window
    expect(committed).toHaveBeenCalledWith('change');
  });

  it('deepTarget follows a keyboard click into a closed root by focus, and stops at the host for a point outside its root', () => {
    const hostEl = document.createElement('pay-button');
    document.body.append(hostEl);
    const root = hostEl.attachShadow({ mode: 'closed' });
    root.innerHTML = '<button>Place order</button>';
    const button = root.querySelector('button')!;
    const shadowOf = (h: Element) => (h === hostEl ? root : null);
    button.focus();
    let seen: Element | null = null;
    window.addEventListener('click', (e) => (seen = deepTarget(e, shadowOf)), { once: true, capture: true });
    button.click();
    expect(seen).toBe(button);
    expect(within(hostEl, button)).toBe(true);
    expect(within(button, hostEl)).toBe(false);
    expect(rootsOf(button)).toEqual([root]);
  });
});
