// Did the user do what the step asks? One check per action type (click; input committed with a
// value; select changed; submit; navigation is watched by the walkthrough), and wrong clicks are
// blocked before the page sees them (the brief's Feature 4), except on our own overlay. A click
// on the element's label, a descendant, or Space/Enter on it (the browser turns those into a click
// on the element) is the element's activation, as the recorder records it. Inside shadow roots:
// an event the window sees on a closed root's host is followed down to its real target
// (`resolveTarget`), and `change` / `submit`, which stay in their root, are listened to there.
import type { ActionType } from '../shared/types';
import { rootsOf, within } from './shadow.content';

export interface Expectation {
  element: Element;
  action: ActionType;
  /** True for events on our own UI (the overlay host), which are never blocked. */
  isOurs: (target: EventTarget | null) => boolean;
  onCorrect: (how: string) => void;
  onWrong: (event: Event) => void;
  /** Which events a person made; scripted ones are ignored. Tests substitute their own. */
  trusted?: (e: Event) => boolean;
  /** The element an event really happened on, inside closed shadow roots (default: its composed path's first node). */
  resolveTarget?: (e: Event) => Element | null;
}

const POINTER_EVENTS = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu', 'touchstart'] as const;

function isSubmitControl(el: Element): boolean {
  const tag = el.localName;
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (tag === 'button') return type === '' || type === 'submit';
  return tag === 'input' && (type === 'submit' || type === 'image');
}

function valueOf(el: Element): string {
  const v = (el as HTMLInputElement).value;
  if (typeof v === 'string') return v;
  return (el as HTMLElement).isContentEditable ? (el.textContent ?? '') : '';
}

/** Installs the listeners for one step; they are removed when `signal` aborts. */
export function watchInteraction(win: Window, exp: Expectation, signal: AbortSignal): void {
  const { element, action } = exp;
  const trusted = exp.trusted ?? ((e: Event) => e.isTrusted);
  let done = false;
  // Any activation that reaches the element counts: the element or a descendant, and its
  // <label> (for= or wrapping), whose click the browser forwards to the control.
  const labels = (): Element[] => Array.from((element as HTMLInputElement).labels ?? []);
  const inTarget = (e: Event) => {
    const path = e.composedPath();
    if (path.includes(element) || labels().some((l) => path.includes(l))) return true;
    // The path stopped at a closed root's host on the way to the element: where did it happen?
    if (!exp.resolveTarget || !path.some((t) => t instanceof Element && t !== element && within(t, element))) return false;
    const real = exp.resolveTarget(e);
    return !!real && (within(element, real) || labels().some((l) => within(l, real)));
  };
  const correct = (how: string) => {
    if (done) return;
    done = true;
    exp.onCorrect(how);
  };
  const opts = { capture: true, signal } as const;

  for (const type of POINTER_EVENTS) {
    win.addEventListener(
      type,
      (e) => {
        if (done || !trusted(e)) return;
        const path = e.composedPath();
        if (path.some((t) => exp.isOurs(t))) return;
        if (!inTarget(e)) {
          // The brief: a click elsewhere is blocked, and the user is told where to click.
          e.preventDefault();
          e.stopImmediatePropagation();
          if (type === 'click' || type === 'auxclick' || type === 'contextmenu') exp.onWrong(e);
          return;
        }
        if (type !== 'click') return;
        if (action === 'click') correct('click');
        // A submit recorded on its button: the click is the step (the form then submits itself).
        else if (action === 'submit' && element.localName !== 'form') correct(isSubmitControl(element) ? 'submit-click' : 'click');
      },
      opts,
    );
  }

  const onChange = (e: Event) => {
    if (done || !trusted(e) || !inTarget(e)) return;
    if (action === 'select_change') correct('change');
    else if (action === 'input_commit' && valueOf(element).trim() !== '') correct('change');
    else if (action === 'click' && (element as HTMLInputElement).type && ['checkbox', 'radio'].includes((element as HTMLInputElement).type)) correct('click');
  };
  win.addEventListener('change', onChange, opts);
  // `change` does not leave a shadow root: the element's own roots hear it.
  for (const root of rootsOf(element)) root.addEventListener('change', onChange, opts);

  win.addEventListener(
    'keydown',
    (e) => {
      if (done || !trusted(e) || (e as KeyboardEvent).key !== 'Enter' || !inTarget(e)) return;
      if (action === 'input_commit' && valueOf(element).trim() !== '') correct('enter');
      else if (action === 'submit' && element.localName !== 'button') correct('enter');
    },
    opts,
  );

  const onSubmit = (e: Event) => {
    if (done || action !== 'submit') return;
    const form = e.composedPath()[0] as Element;
    if (form === element || form.contains(element) || (element as HTMLButtonElement).form === form) correct('submit');
  };
  win.addEventListener('submit', onSubmit, opts);
  for (const root of rootsOf(element)) root.addEventListener('submit', onSubmit, opts);
}
