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
  valueKindOf,
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

/** Deliveries in the order their events happened; see `createOutbox`. */
interface Outbox {
  deliver(f: () => void): void;
  /** Runs every pending delivery now. */
  flush(): void;
  close(): void;
}

/**
 * Deliveries in the order their events happened, run by a task posted after the event
 * (MessageChannel: not clamped or throttled like setTimeout), or at once by flush(). Nothing is
 * posted once the recorder stops; what is queued then leaves with the last flush().
 */
function createOutbox(signal: AbortSignal): Outbox {
  const queue: (() => void)[] = [];
  const channel = new MessageChannel();
  let posted = false;
  const flush = () => {
    posted = false;
    while (queue.length) queue.shift()!();
  };
  channel.port1.onmessage = flush;
  return {
    deliver(f) {
      queue.push(f);
      if (!posted && !signal.aborted) {
        posted = true;
        channel.port2.postMessage(null);
      }
    },
    flush,
    close: () => channel.port1.close(),
  };
}

/**
 * The page-state hash (a few ms on a big page: it reads styles of up to 200 fields) is taken
 * while the page is idle and kept until the DOM changes, so a step's listener only reads it: it
 * describes the settled page the user acted on. Returns the reader.
 */
function watchPageState(win: Window, signal: AbortSignal): () => string {
  const doc = win.document;
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
  scheduleState();
  return () => {
    if (stateHash === null || (stateDirty && stateTimer === undefined)) refreshState();
    return stateHash!;
  };
}

/** A route change as a step: the page itself, no element. */
function navigationStep(page: CapturedStep['page_context']): CapturedStep {
  return {
    client_id: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    action_type: 'navigate',
    selectors: { primary: null, css: null, xpath: null, data_testid: null, stable_attrs: null },
    element_meta: { tag_name: 'HTML', role: null, type: null, name: null, placeholder: null, inner_text: null, label_text: null, nearby_text: null, classes: [], bounding_box: null, parent_tag: null, parent_classes: null },
    page_context: page,
    action_data: null,
    dom_context: null,
    expected_outcome: null,
  };
}

/**
 * One recording in one frame: what it remembers between events (the step whose outcome is being
 * watched, the last step, each field's committed value, where focus is) and a handler per event.
 * initRecorder wires the handlers to the window and to the shadow roots events pass through.
 */
class RecorderSession {
  paused: boolean;
  private readonly doc: Document;
  private readonly privacy: { denySelectors: string[] };
  private readonly trusted: (e: Event) => boolean;
  private readonly shadowOf: ShadowAccess;
  readonly topFrame: boolean;
  /** The step whose outcome is being observed, until the next step or OUTCOME_WINDOW_MS. */
  private pending: { clientId: string; rec: OutcomeRecorder; target: Element; timer: ReturnType<typeof setTimeout> } | null = null;
  /** The last step recorded: a submit or a route change it explains is not a step of its own. */
  private last: { at: number; action: ActionType; element: Element } | null = null;
  /** The value each field had when it was last committed (or focused): one commit per change. */
  private readonly committed = new WeakMap<Element, string>();
  private lastUrl: string;
  /** Where focus went on the last focusin (on focusout it has already left: a closed root then hides it). */
  private focused: Element | null = null;
  /** A click on a <label> just recorded as its control's step (the browser's click on the control follows, in the same task). */
  private labelClick: { control: Element; at: number } | null = null;
  /** Shadow roots listened to already (see hearRootsOf). */
  private readonly heardRoots = new WeakSet<ShadowRoot>();

  constructor(
    private readonly win: Window,
    private readonly opts: RecorderOptions,
    private readonly signal: AbortSignal,
    private readonly outbox: Outbox,
    private readonly stateHash: () => string,
  ) {
    this.doc = win.document;
    this.privacy = { denySelectors: opts.denySelectors ?? [] };
    this.paused = opts.paused;
    this.trusted = opts.trusted ?? ((e: Event) => e.isTrusted);
    this.lastUrl = win.location.href;
    this.shadowOf = opts.shadowRoot ?? openShadowRoot;
    this.topFrame = opts.topFrame ?? true;
  }

  /** Ends the pending step's outcome window and delivers its outcome. */
  readonly finishOutcome = (): void => {
    if (!this.pending) return;
    const p = this.pending;
    this.pending = null;
    clearTimeout(p.timer);
    try {
      const outcome = p.rec.finish(p.target);
      this.outbox.deliver(() => this.opts.emitOutcome(p.clientId, outcome));
    } catch {
      /* the page may be going away */
    }
  };

  private pageContext(): CapturedStep['page_context'] {
    return {
      url: this.win.location.href.slice(0, 2048),
      title: (this.doc.title || '').slice(0, 500) || null,
      viewport: { width: Math.round(this.win.innerWidth), height: Math.round(this.win.innerHeight) },
      page_state_hash: this.stateHash(),
    };
  }

  /**
   * A step on `el`: what the event leaves behind is read now, the page-wide selector check and the
   * delivery run in the task after the event (beginDescribe keeps the DOM changes in between).
   */
  record(el: Element, action: ActionType, event: Event | null, extra: Partial<NonNullable<CapturedStep['action_data']>> = {}): void {
    this.finishOutcome();
    const target = beginDescribe(el, this.privacy);
    const value = ['input', 'select', 'textarea'].includes(el.localName) && action !== 'click' ? captureValue(el, this.privacy) : null;
    // Whose value it is (the colleague's own, made up, or the task's): read now, with the field.
    const kind = action === 'input_commit' || action === 'select_change' ? { value_kind: valueKindOf(el, this.privacy) } : {};
    let click: { x: number; y: number } | null = null;
    if (event instanceof MouseEvent && event.detail !== 0) {
      const r = el.getBoundingClientRect();
      click = { x: Math.round(event.clientX - r.left), y: Math.round(event.clientY - r.top) };
    }
    const clientId = crypto.randomUUID();
    const timestamp = new Date().toISOString();
    const page = this.pageContext();
    const dom = domContext(el, this.privacy);
    this.last = { at: Date.now(), action, element: el };
    this.pending = { clientId, rec: observeOutcome(this.doc, this.privacy), target: el, timer: setTimeout(this.finishOutcome, OUTCOME_WINDOW_MS) };
    const opts = this.opts;
    this.outbox.deliver(() => {
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
          ...kind,
          ...extra,
        },
        dom_context: dom,
        expected_outcome: null,
      };
      opts.deferredTimings?.push(performance.now() - t0);
      opts.emit(step);
    });
  }

  recordNavigation(url: string): void {
    this.finishOutcome();
    const step = navigationStep({ ...this.pageContext(), url: url.slice(0, 2048) });
    this.last = { at: Date.now(), action: 'navigate', element: this.doc.documentElement };
    this.outbox.deliver(() => this.opts.emit(step));
  }

  /** A listener that measures itself when the bench asks (opts.timings). */
  timed<E extends Event>(f: (e: E) => void): (e: E) => void {
    const timings = () => this.opts.timings;
    return (e: E) => {
      const out = timings();
      if (!out) return f(e);
      const t0 = performance.now();
      try {
        f(e);
      } finally {
        out.push(performance.now() - t0);
      }
    };
  }

  private ours(e: Event): boolean {
    return e.composedPath().some((t) => this.opts.isOurs(t));
  }

  private targetOf(e: Event): Element | null {
    return deepTarget(e, this.shadowOf);
  }

  /**
   * What stays inside a shadow root is listened to there (a root's listeners see its closed inside
   * too). An event heard both there and on the window is handled twice: every handler does what
   * it does once.
   */
  private hearRootsOf(el: Element): void {
    for (const root of rootsOf(el)) {
      if (this.heardRoots.has(root)) continue;
      this.heardRoots.add(root);
      const o = { capture: true, passive: true, signal: this.signal };
      root.addEventListener('change', this.timed(this.onChange), o);
      root.addEventListener('submit', this.timed(this.onSubmit), o);
      root.addEventListener('focusin', this.timed(this.onFocusIn as (e: Event) => void), o);
      root.addEventListener('focusout', this.timed(this.onFocusOut as (e: Event) => void), o);
    }
  }

  private commitIfChanged(el: Element, e: Event | null): void {
    const value = (el as HTMLInputElement).value ?? '';
    if (this.committed.get(el) === value) return;
    this.committed.set(el, value);
    this.record(el, el.localName === 'select' ? 'select_change' : 'input_commit', e);
  }

  readonly onFocusIn = (e: FocusEvent): void => {
    if (!this.trusted(e)) return;
    const el = this.targetOf(e);
    this.focused = el;
    if (el) this.hearRootsOf(el);
    if (this.paused) return;
    if (el instanceof Element && (isTextField(el) || el.localName === 'select') && !this.committed.has(el)) this.committed.set(el, (el as HTMLInputElement).value ?? '');
  };

  // A click on a <label> is recorded as its control's step; the browser then clicks the control
  // itself (a trusted click too), which is the same action, not a second step.
  readonly onClick = (e: MouseEvent): void => {
    if (!this.trusted(e) || this.ours(e)) return;
    const raw = this.targetOf(e);
    if (raw) this.hearRootsOf(raw);
    if (this.paused || !raw) return;
    if (this.labelClick && this.labelClick.control === raw) {
      this.labelClick = null;
      return;
    }
    const el = meaningfulTarget(e, raw);
    if (!el) return;
    const label = raw.closest('label');
    const mark = label && (label as HTMLLabelElement).control === el && el !== raw ? { control: el, at: e.timeStamp } : null;
    this.labelClick = mark;
    // The browser forwards the click to the control in the same task as the label's: the mark
    // lasts until the next task, however long recording this step takes (not a time window, which
    // a slow page or a loaded machine overran, recording the forwarded click as a second step).
    if (mark) setTimeout(() => {
      if (this.labelClick === mark) this.labelClick = null;
    }, 0);
    if (isSubmitControl(el)) this.record(el, 'submit', e, { submit_key: 'button_click' });
    else this.record(el, 'click', e);
  };

  readonly onChange = (e: Event): void => {
    if (this.paused || !this.trusted(e) || this.ours(e)) return;
    const raw = this.targetOf(e);
    if (!raw) return;
    const el = meaningfulTarget(e, raw);
    if (!el) return;
    this.commitIfChanged(el, e);
  };

  readonly onFocusOut = (e: FocusEvent): void => {
    if (!this.trusted(e) || this.ours(e)) return;
    const first = e.composedPath()[0];
    const focused = this.focused;
    const raw = focused && first instanceof Element && within(first, focused) ? focused : this.targetOf(e);
    if (this.paused || !raw) return;
    // Rich-text editors have no change event: their blur is the commit.
    if (raw instanceof HTMLElement && raw.isContentEditable && !isTextField(raw)) {
      const text = raw.textContent ?? '';
      if (this.committed.get(raw) !== text) {
        this.committed.set(raw, text);
        this.record(raw, 'input_commit', e);
      }
    } else if (isTextField(raw) && rootsOf(raw).length) {
      // In a shadow root: its change may not have been heard (a root first met now); once only.
      this.commitIfChanged(raw, e);
    }
  };

  readonly onKeyDown = (e: KeyboardEvent): void => {
    if (this.paused || !this.trusted(e) || e.key !== 'Enter' || this.ours(e)) return;
    const raw = this.targetOf(e);
    if (!(raw instanceof Element) || !isTextField(raw) || raw.localName === 'textarea' || !(raw as HTMLInputElement).form) return;
    // Enter submits the form: the value typed is its own step first.
    this.commitIfChanged(raw, null);
    this.record(raw, 'submit', e, { submit_key: 'enter' });
  };

  readonly onSubmit = (e: Event): void => {
    if (this.paused || !this.trusted(e)) return;
    const form = e.composedPath()[0];
    if (!(form instanceof Element)) return;
    // Already recorded as the click on its submit button or the Enter key.
    const last = this.last;
    if (last && Date.now() - last.at < 1000 && (last.action === 'submit' || last.action === 'click') && (form.contains(last.element) || last.element === form)) return;
    const el = meaningfulTarget(e, form);
    if (el) this.record(el, 'submit', e);
  };

  /** Client-side routes (pushState, popstate, hash): a URL change no step explains is a step. */
  readonly checkUrl = (): void => {
    const url = this.win.location.href;
    if (url === this.lastUrl || !this.topFrame) return;
    const from = this.lastUrl;
    this.lastUrl = url;
    if (this.paused) return;
    const last = this.last;
    const explained = last && Date.now() - last.at < OUTCOME_WINDOW_MS && last.action !== 'navigate';
    if (!explained && url.split('#')[0] !== from.split('#')[0]) this.recordNavigation(url);
  };
}

export function initRecorder(win: Window, opts: RecorderOptions, signal: AbortSignal): RecorderHandle {
  const outbox = createOutbox(signal);
  const session = new RecorderSession(win, opts, signal, outbox, watchPageState(win, signal));

  const listen = <K extends keyof WindowEventMap>(type: K, f: (e: WindowEventMap[K]) => void) =>
    win.addEventListener(type, session.timed(f), { capture: true, passive: true, signal });
  listen('focusin', session.onFocusIn);
  listen('click', session.onClick);
  listen('change', session.onChange);
  listen('focusout', session.onFocusOut);
  listen('keydown', session.onKeyDown);
  listen('submit', session.onSubmit);

  // The document's tasks never run once it is gone: what is pending leaves now.
  win.addEventListener('pagehide', () => {
    session.finishOutcome();
    outbox.flush();
  }, { signal });

  win.addEventListener('popstate', session.checkUrl, { signal });
  win.addEventListener('hashchange', session.checkUrl, { signal });
  const poll = setInterval(session.checkUrl, URL_POLL_MS);
  signal.addEventListener('abort', () => {
    clearInterval(poll);
    session.finishOutcome();
    outbox.flush();
    outbox.close();
  }, { once: true });

  if (opts.recordNavigation && !session.paused && session.topFrame) session.recordNavigation(win.location.href);

  return {
    setPaused(p: boolean) {
      session.paused = p;
      if (p) {
        session.finishOutcome();
        outbox.flush();
      }
    },
    flush: outbox.flush,
  };
}
