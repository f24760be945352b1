/**
 * Which events become steps. The brief's filter, extended: custom ARIA controls, retargeting of
 * clicks on decorative children to their interactive ancestor, input committed on change, blur
 * or Enter (never per keystroke), contenteditable, and navigations of every kind.
 */

export type ActionType = 'click' | 'input_commit' | 'select_change' | 'submit' | 'navigate';

/** Event types the recorder may synthesise for navigations. */
export const NAVIGATION_EVENTS = new Set(['navigate', 'popstate', 'hashchange', 'pushstate', 'replacestate', 'load', 'pageshow']);

const CLICK_ROLES = new Set([
  'button', 'link', 'checkbox', 'radio', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab',
  'option', 'switch', 'combobox', 'treeitem', 'gridcell', 'row', 'slider', 'spinbutton', 'searchbox',
  'textbox', 'listbox',
]);
const TEXT_INPUT_TYPES = new Set(['', 'text', 'email', 'search', 'tel', 'url', 'password', 'number', 'date', 'datetime-local', 'month', 'time', 'week']);
const CLICK_EVENTS = new Set(['click', 'auxclick', 'dblclick', 'contextmenu']);

function isTextEntry(el: Element): boolean {
  const tag = el.localName;
  if (tag === 'textarea') return true;
  if (tag === 'input') return TEXT_INPUT_TYPES.has((el.getAttribute('type') || '').toLowerCase());
  return (el as HTMLElement).isContentEditable === true || el.getAttribute('contenteditable') === 'true' || el.getAttribute('contenteditable') === '';
}

/** True when `el` itself is something a user operates (not decoration inside one). */
export function isInteractive(el: Element): boolean {
  const tag = el.localName;
  if (tag === 'button' || tag === 'select' || tag === 'textarea' || tag === 'summary') return true;
  if (tag === 'a' && el.hasAttribute('href')) return true;
  if (tag === 'input') return (el.getAttribute('type') || '').toLowerCase() !== 'hidden';
  if (tag === 'label' && (el as HTMLLabelElement).control) return true;
  const role = el.getAttribute('role');
  if (role && role.split(/\s+/).some((r) => CLICK_ROLES.has(r))) return true;
  if (isTextEntry(el) && el.getAttribute('contenteditable') !== null) return true;
  // Hand-made controls: an inline click handler, or focusable on purpose (tabindex ≥ 0).
  if (el.hasAttribute('onclick')) return true;
  const tabindex = el.getAttribute('tabindex');
  if (tabindex !== null && Number(tabindex) >= 0 && tag !== 'body' && tag !== 'html') return true;
  return false;
}

/** The interactive element a click on `el` is really aimed at (itself or an ancestor), if any. */
export function interactiveTarget(el: Element | null): Element | null {
  for (let cur: Element | null = el, depth = 0; cur && depth < 12; depth++) {
    if (isInteractive(cur)) {
      // A click on a label operates its control; record the control.
      if (cur.localName === 'label' && (cur as HTMLLabelElement).control) return (cur as HTMLLabelElement).control!;
      return cur;
    }
    cur = cur.parentElement ?? (((cur.getRootNode() as ShadowRoot).host as Element) || null);
  }
  return null;
}

/** Where the step should be recorded, or null when the event is noise. */
export function meaningfulTarget(event: Event | { type: string; key?: string }, el: Element | null): Element | null {
  const type = event.type.toLowerCase();
  if (NAVIGATION_EVENTS.has(type)) return el ?? (globalThis.document?.documentElement ?? null);
  if (!el) return null;
  if (type === 'submit') return el.localName === 'form' ? el : el.closest('form');
  if (CLICK_EVENTS.has(type)) {
    const target = interactiveTarget(el);
    if (!target) return null;
    // Clicking into a text field only focuses it; the commit is the step.
    if (isTextEntry(target) || target.localName === 'select') return null;
    return target;
  }
  if (type === 'change') {
    const tag = el.localName;
    // Checkbox and radio changes are already recorded as their click.
    if (tag === 'input' && ['checkbox', 'radio'].includes((el.getAttribute('type') || '').toLowerCase())) return null;
    if (tag === 'select' || tag === 'textarea' || tag === 'input') return el;
    return null;
  }
  if (type === 'blur' || type === 'focusout') {
    if (isTextEntry(el) || el.localName === 'select') return el;
    return null;
  }
  if (type === 'keydown' || type === 'keyup' || type === 'keypress') {
    const key = (event as KeyboardEvent).key;
    if (key === 'Enter' && type === 'keydown' && (isTextEntry(el) && el.localName !== 'textarea')) return el;
    return null;
  }
  return null;
}

/** The brief's `isMeaningfulInteraction`, extended (see module comment). */
export function isMeaningfulInteraction(event: Event | { type: string; key?: string }, el: Element | null): boolean {
  return meaningfulTarget(event, el) !== null;
}

/** The brief's action type for a meaningful event. */
export function actionTypeOf(event: Event | { type: string; key?: string }, el: Element | null): ActionType | null {
  const target = meaningfulTarget(event, el);
  if (!target) return null;
  const type = event.type.toLowerCase();
  if (NAVIGATION_EVENTS.has(type)) return 'navigate';
  if (type === 'submit') return 'submit';
  if (type === 'keydown') return 'submit';
  if (target.localName === 'select') return 'select_change';
  if (type === 'change' || type === 'blur' || type === 'focusout') {
    const t = (target.getAttribute('type') || '').toLowerCase();
    return t === 'checkbox' || t === 'radio' ? 'click' : 'input_commit';
  }
  return 'click';
}
