// Recording in the page: capture-phase listeners turn meaningful, trusted interactions into
// steps with guide-core (selectors, element data, masked values and HTML, expected outcome) and
// hand them to the service worker in order. The listeners never stop or change an event: the
// page's own handlers always run. Our own control is ignored.
//
// A listener reads what the event leaves behind it (the element and its surroundings, the
// value, the page) and nothing else: the page-wide check that a step's ARIA selector is unique
// runs in a task right after the event (guide-core's beginDescribe records DOM changes in
// between), and the step is delivered then. Steps and outcomes leave in the order they
// happened; a page that goes away (pagehide), a pause or a stop delivers what is pending at once.
//
// Every frame runs its own recorder (the service worker places and numbers the steps). Inside
// shadow roots: an event the window sees on a closed root's host is followed down to the element
// it happened on (shadow.content.ts); `change` and `submit`, which do not leave their root, and
// focus moving between two fields of one component (the window sees no focus event: both ends
// are that component's host there) are heard on the roots that focus and clicks pass through; a
// text field there also commits when it loses focus.
import {
  beginDescribe,
  captureValue,
  domContext,
  meaningfulTarget,
  observeOutcome,
  openShadowRoot,
  pageStateHash,
  type OutcomeRecorder,
  type ShadowAccess,
} from '@stepwise/guide-core';
import type { ActionType, CapturedStep } from '../shared/types';
import { deepTarget, rootsOf, within } from './shadow.content';

/** The outcome of a step is what happened within this long (or until the next step). */
export const OUTCOME_WINDOW_MS = 1000;
const URL_POLL_MS = 300;

export interface RecorderOptions {
  paused: boolean;
  recordNavigation: boolean;
  /** Our own UI: events inside it are not steps. */
  isOurs: (target: EventTarget) => boolean;
  /** Delivers a step (to the service worker); must not throw. */
  emit: (step: CapturedStep) => void;
  emitOutcome: (clientId: string, outcome: NonNullable<CapturedStep['expected_outcome']>) => void;
  denySelectors?: string[];
  /** Which events a person made (scripted ones are not steps). Tests substitute their own. */
  trusted?: (e: Event) => boolean;
  /** Measured time per listener call (the bench); off by default. */
  timings?: number[];
  /** Measured time per step finished after its event (the bench); off by default. */
  deferredTimings?: number[];
  /** Opens shadow roots, closed ones too (the extension's chrome.dom); default: open ones only. */
  shadowRoot?: ShadowAccess;
  /** False in a child frame: documents and routes loading there are outcomes of steps, not steps. */
  topFrame?: boolean;
}

export interface RecorderHandle {
  setPaused(paused: boolean): void;
  /** Delivers every pending step and outcome now. */
  flush(): void;
}

function isSubmitControl(el: Element): boolean {
  const tag = el.localName;
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (tag === 'button') return (type === '' || type === 'submit') && !!(el as HTMLButtonElement).form;
  return tag === 'input' && (type === 'submit' || type === 'image') && !!(el as HTMLInputElement).form;
}

function isTextField(el: Element): boolean {
  if (el.localName === 'textarea') return true;
  if (el.localName !== 'input') return false;
  const type = (el.getAttribute('type') || '').toLowerCase();
  return !['button', 'submit', 'reset', 'image', 'checkbox', 'radio', 'file', 'color', 'range', 'hidden'].includes(type);
}

export function initRecorder(win: Window, opts: RecorderOptions, signal: AbortSignal): RecorderHandle {
  const doc = win.document;
  const privacy = { denySelectors: opts.denySelectors ?? [] };
  let paused = opts.paused;
  const trusted = opts.trusted ?? ((e: Event) => e.isTrusted);
  let pending: { clientId: string; rec: OutcomeRecorder; target: Element; timer: ReturnType<typeof setTimeout> } | null = null;
  let last: { at: number; action: ActionType; element: Element } | null = null;
  /** The value each field had when it was last committed (or focused): one commit per change. */
  const committed = new WeakMap<Element, string>();
  let lastUrl = win.location.href;
  const shadowOf = opts.shadowRoot ?? openShadowRoot;
  const topFrame = opts.topFrame ?? true;
  /** Where focus went on the last focusin (on focusout it has already left: a closed root then hides it). */
  let focused: Element | null = null;
  const targetOf = (e: Event): Element | null => deepTarget(e, shadowOf);

  // Deliveries in the order their events happened; run by a task posted after the event
  // (MessageChannel: not clamped or throttled like setTimeout), or at once by flush().
  const outbox: (() => void)[] = [];
  const channel = new MessageChannel();
  let posted = false;
  const flush = () => {
    posted = false;
    while (outbox.length) outbox.shift()!();
  };
  channel.port1.onmessage = flush;
  const deliver = (f: () => void) => {
    outbox.push(f);
    if (!posted && !signal.aborted) {
      posted = true;
      channel.port2.postMessage(null);
    }
  };

  const finishOutcome = () => {
    if (!pending) return;
    const p = pending;
    pending = null;
    clearTimeout(p.timer);
    try {
      const outcome = p.rec.finish(p.target);
      deliver(() => opts.emitOutcome(p.clientId, outcome));
    } catch {
      /* the page may be going away */
    }
  };

  // The page-state hash (a few ms on a big page: it reads styles of up to 200 fields) is taken
  // while the page is idle and kept until the DOM changes, so a step's listener only reads it:
  // it describes the settled page the user acted on.
  let stateHash: string | null = null;
  let stateDirty = true;
  let stateTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshState = () => {
    stateTimer = undefined;
    stateHash = pageStateHash(doc);
    stateDirty = false;
  };
  const scheduleState = () => {
    stateDirty = true;
    if (stateTimer !== undefined) return;
    const idle = (win as Window & { requestIdleCallback?: (f: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
    stateTimer = setTimeout(() => (idle ? idle(refreshState, { timeout: 300 }) : refreshState()), 50);
  };
  const stateObserver = new MutationObserver(scheduleState);
  stateObserver.observe(doc, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'open', 'style', 'class', 'aria-hidden'] });
  signal.addEventListener('abort', () => {
    stateObserver.disconnect();
    clearTimeout(stateTimer);
  }, { once: true });
  const currentStateHash = () => {
    if (stateHash === null || (stateDirty && stateTimer === undefined)) refreshState();
    return stateHash!;
  };
  scheduleState();

  const pageContext = (): CapturedStep['page_context'] => ({
    url: win.location.href.slice(0, 2048),
    title: (doc.title || '').slice(0, 500) || null,
    viewport: { width: Math.round(win.innerWidth), height: Math.round(win.innerHeight) },
    page_state_hash: currentStateHash(),
  });

  const record = (el: Element, action: ActionType, event: Event | null, extra: Partial<NonNullable<CapturedStep['action_data']>> = {}) => {
    finishOutcome();
    const target = beginDescribe(el, privacy);
    const value = ['input', 'select', 'textarea'].includes(el.localName) && action !== 'click' ? captureValue(el, privacy) : null;
    let click: { x: number; y: number } | null = null;
    if (event instanceof MouseEvent && event.detail !== 0) {
      const r = el.getBoundingClientRect();
      click = { x: Math.round(event.clientX - r.left), y: Math.round(event.clientY - r.top) };
    }
    const clientId = crypto.randomUUID();
    const timestamp = new Date().toISOString();
    const page = pageContext();
    const dom = domContext(el, privacy);
    last = { at: Date.now(), action, element: el };
    pending = { clientId, rec: observeOutcome(doc, privacy), target: el, timer: setTimeout(finishOutcome, OUTCOME_WINDOW_MS) };
    deliver(() => {
      const t0 = opts.deferredTimings ? performance.now() : 0;
      const described = target.finish();
      const step: CapturedStep = {
        client_id: clientId,
        timestamp,
        action_type: action,
        selectors: described.selectors as CapturedStep['selectors'],
        element_meta: described.element_meta as CapturedStep['element_meta'],
        page_context: page,
        action_data: {
          input_value: value ? value.input_value : null,
          value_masked: value ? value.value_masked || null : null,
          click_coordinates: click,
          ...extra,
        },
        dom_context: dom,
        expected_outcome: null,
      };
      opts.deferredTimings?.push(performance.now() - t0);
      opts.emit(step);
    });
  };

  const recordNavigation = (url: string) => {
    finishOutcome();
    const clientId = crypto.randomUUID();
    const step: CapturedStep = {
      client_id: clientId,
      timestamp: new Date().toISOString(),
      action_type: 'navigate',
      selectors: { primary: null, css: null, xpath: null, data_testid: null, stable_attrs: null },
      element_meta: { tag_name: 'HTML', role: null, type: null, name: null, placeholder: null, inner_text: null, label_text: null, nearby_text: null, classes: [], bounding_box: null, parent_tag: null, parent_classes: null },
      page_context: { ...pageContext(), url: url.slice(0, 2048) },
      action_data: null,
      dom_context: null,
      expected_outcome: null,
    };
    last = { at: Date.now(), action: 'navigate', element: doc.documentElement };
    deliver(() => opts.emit(step));
  };

  const ours = (e: Event) => e.composedPath().some((t) => opts.isOurs(t));
  const timed = <E extends Event>(f: (e: E) => void) => (e: E) => {
    if (!opts.timings) return f(e);
    const t0 = performance.now();
    try {
      f(e);
    } finally {
      opts.timings.push(performance.now() - t0);
    }
  };
  const listen = <K extends keyof WindowEventMap>(type: K, f: (e: WindowEventMap[K]) => void) =>
    win.addEventListener(type, timed(f), { capture: true, passive: true, signal });
  // What stays inside a shadow root is listened to there (a root's listeners see its closed
  // inside too). An event heard both there and on the window is handled twice: every handler
  // below does what it does once.
  const heardRoots = new WeakSet<ShadowRoot>();
  const hearRootsOf = (el: Element) => {
    for (const root of rootsOf(el)) {
      if (heardRoots.has(root)) continue;
      heardRoots.add(root);
      const o = { capture: true, passive: true, signal };
      root.addEventListener('change', timed(onChange), o);
      root.addEventListener('submit', timed(onSubmit), o);
      root.addEventListener('focusin', timed(onFocusIn as (e: Event) => void), o);
      root.addEventListener('focusout', timed(onFocusOut as (e: Event) => void), o);
    }
  };

  const commitIfChanged = (el: Element, e: Event | null) => {
    const value = (el as HTMLInputElement).value ?? '';
    if (committed.get(el) === value) return;
    committed.set(el, value);
    record(el, el.localName === 'select' ? 'select_change' : 'input_commit', e);
  };

  function onFocusIn(e: FocusEvent): void {
    if (!trusted(e)) return;
    const el = targetOf(e);
    focused = el;
    if (el) hearRootsOf(el);
    if (paused) return;
    if (el instanceof Element && (isTextField(el) || el.localName === 'select') && !committed.has(el)) committed.set(el, (el as HTMLInputElement).value ?? '');
  }
  listen('focusin', onFocusIn);

  // A click on a <label> is recorded as its control's step; the browser then clicks the control
  // itself (a trusted click too), which is the same action, not a second step.
  let labelClick: { control: Element; at: number } | null = null;
  listen('click', (e) => {
    if (!trusted(e) || ours(e)) return;
    const raw = targetOf(e);
    if (raw) hearRootsOf(raw);
    if (paused || !raw) return;
    if (labelClick && labelClick.control === raw && e.timeStamp - labelClick.at < 100) {
      labelClick = null;
      return;
    }
    const el = meaningfulTarget(e, raw);
    if (!el) return;
    const label = raw.closest('label');
    labelClick = label && (label as HTMLLabelElement).control === el && el !== raw ? { control: el, at: e.timeStamp } : null;
    if (isSubmitControl(el)) record(el, 'submit', e, { submit_key: 'button_click' });
    else record(el, 'click', e);
  });

  function onChange(e: Event): void {
    if (paused || !trusted(e) || ours(e)) return;
    const raw = targetOf(e);
    if (!raw) return;
    const el = meaningfulTarget(e, raw);
    if (!el) return;
    commitIfChanged(el, e);
  }
  listen('change', onChange);

  function onFocusOut(e: FocusEvent): void {
    if (!trusted(e) || ours(e)) return;
    const first = e.composedPath()[0];
    const raw = focused && first instanceof Element && within(first, focused) ? focused : targetOf(e);
    if (paused || !raw) return;
    // Rich-text editors have no change event: their blur is the commit.
    if (raw instanceof HTMLElement && raw.isContentEditable && !isTextField(raw)) {
      const text = raw.textContent ?? '';
      if (committed.get(raw) !== text) {
        committed.set(raw, text);
        record(raw, 'input_commit', e);
      }
    } else if (isTextField(raw) && rootsOf(raw).length) {
      // In a shadow root: its change may not have been heard (a root first met now); once only.
      commitIfChanged(raw, e);
    }
  }
  listen('focusout', onFocusOut);

  listen('keydown', (e) => {
    if (paused || !trusted(e) || e.key !== 'Enter' || ours(e)) return;
    const raw = targetOf(e);
    if (!(raw instanceof Element) || !isTextField(raw) || raw.localName === 'textarea' || !(raw as HTMLInputElement).form) return;
    // Enter submits the form: the value typed is its own step first.
    commitIfChanged(raw, null);
    record(raw, 'submit', e, { submit_key: 'enter' });
  });

  function onSubmit(e: Event): void {
    if (paused || !trusted(e)) return;
    const form = e.composedPath()[0];
    if (!(form instanceof Element)) return;
    // Already recorded as the click on its submit button or the Enter key.
    if (last && Date.now() - last.at < 1000 && (last.action === 'submit' || last.action === 'click') && (form.contains(last.element) || last.element === form)) return;
    const el = meaningfulTarget(e, form);
    if (el) record(el, 'submit', e);
  }
  listen('submit', onSubmit);

  // The document's tasks never run once it is gone: what is pending leaves now.
  win.addEventListener('pagehide', () => {
    finishOutcome();
    flush();
  }, { signal });

  // Client-side routes (pushState, popstate, hash): a URL change no step explains is a step.
  const checkUrl = () => {
    const url = win.location.href;
    if (url === lastUrl || !topFrame) return;
    const from = lastUrl;
    lastUrl = url;
    if (paused) return;
    const explained = last && Date.now() - last.at < OUTCOME_WINDOW_MS && last.action !== 'navigate';
    if (!explained && url.split('#')[0] !== from.split('#')[0]) recordNavigation(url);
  };
  win.addEventListener('popstate', checkUrl, { signal });
  win.addEventListener('hashchange', checkUrl, { signal });
  const poll = setInterval(checkUrl, URL_POLL_MS);
  signal.addEventListener('abort', () => {
    clearInterval(poll);
    finishOutcome();
    flush();
    channel.port1.close();
  }, { once: true });

  if (opts.recordNavigation && !paused && topFrame) recordNavigation(win.location.href);

  return {
    setPaused(p: boolean) {
      paused = p;
      if (p) {
        finishOutcome();
        flush();
      }
    },
    flush,
  };
}
