/**
 * What reveals a hidden element: the control a person uses to open the closed menu, collapsed
 * panel, unselected tab or `<details>` that holds it. After a redesign the target often still
 * exists but sits in such a container (a personal link moved into the user menu); a walkthrough
 * then guides the user through the opener first instead of saying "not on this page".
 *
 * Openers are found by what the page declares, in this order: `<summary>` of a closed
 * `<details>`; a control whose `aria-controls`, `popovertarget`, `for` (checkbox hack),
 * `data-target`/`data-bs-target` or same-page `href="#id"` names a hidden ancestor; the tab that
 * labels a hidden `tabpanel`; and next to the hidden container, a control announcing a popup
 * (`aria-haspopup`, `aria-expanded="false"`). Nothing is guessed from class names.
 */
import { accessibleNameOf, roleOf } from './selectors.js';
import { isVisible } from './dom-util.js';

export interface Opener {
  element: Element;
  /** How it reveals: 'summary' | 'controls' | 'tab' | 'toggle' | 'popup'. */
  how: 'summary' | 'controls' | 'tab' | 'toggle' | 'popup';
  /** The opener's accessible name (or text), for the inserted instruction. */
  name: string;
}

function parentOf(el: Element): Element | null {
  return el.parentElement ?? (((el.getRootNode() as ShadowRoot).host as Element | undefined) || null);
}

function idsOf(el: Element): string[] {
  return el.id ? [el.id] : [];
}

function nameOf(el: Element): string {
  const n = accessibleNameOf(el) || (el.textContent || '').replace(/\s+/g, ' ').trim();
  return n.slice(0, 80);
}

function queryRoot(el: Element): Document | ShadowRoot {
  const r = el.getRootNode();
  return (r as ShadowRoot).host ? (r as ShadowRoot) : (el.ownerDocument as Document);
}

function cssString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A control elsewhere on the page that declares it opens the element with this id. */
function declaredController(root: Document | ShadowRoot, id: string): { element: Element; how: Opener['how'] } | null {
  const q = cssString(id);
  const selectors: [string, Opener['how']][] = [
    [`[role=tab][aria-controls~=${q}]`, 'tab'],
    [`[aria-controls~=${q}]`, 'controls'],
    [`[popovertarget=${q}]`, 'controls'],
    [`[data-bs-target=${cssString('#' + id)}],[data-target=${cssString('#' + id)}]`, 'controls'],
    [`a[href=${cssString('#' + id)}]`, 'controls'],
  ];
  for (const [sel, how] of selectors) {
    let found: Element[] = [];
    try {
      found = Array.from(root.querySelectorAll(sel));
    } catch {
      continue;
    }
    const el = found.find((f) => isVisible(f)) ?? found[0];
    if (el) return { element: el, how };
  }
  return null;
}

/** A checkbox or radio hidden before the container, toggled through its label (CSS-only menus). */
function checkboxHack(container: Element): Element | null {
  for (let s = container.previousElementSibling, n = 0; s && n < 4; s = s.previousElementSibling, n++) {
    const input = s.localName === 'input' ? (s as HTMLInputElement) : (s.querySelector?.('input[type=checkbox],input[type=radio]') as HTMLInputElement | null);
    if (!input || !['checkbox', 'radio'].includes(input.type) || input.checked) continue;
    const labels = input.labels ? Array.from(input.labels) : [];
    const label = labels.find((l) => isVisible(l)) ?? labels[0];
    if (label) return label;
  }
  return null;
}

/** A control beside the container that announces a popup it has not opened. */
function popupToggle(container: Element): Element | null {
  const parent = parentOf(container);
  if (!parent) return null;
  const siblings = Array.from(parent.children).filter((c) => c !== container);
  for (const s of siblings) {
    const candidates = [s, ...Array.from(s.querySelectorAll('button,[role=button],a,[aria-haspopup],[aria-expanded]'))];
    for (const c of candidates) {
      const expanded = c.getAttribute('aria-expanded');
      if (c.hasAttribute('aria-haspopup') && c.getAttribute('aria-haspopup') !== 'false' && expanded !== 'true') return c;
      if (expanded === 'false') return c;
    }
  }
  return null;
}

/** The opener for one hidden ancestor of `from` (the target, or an opener found hidden), if declared. */
function openerFor(hidden: Element, from: Element): Opener | null {
  if (hidden.localName === 'details' && !(hidden as HTMLDetailsElement).open) {
    const summary = Array.from(hidden.children).find((c) => c.localName === 'summary');
    if (summary && !summary.contains(from)) return { element: summary, how: 'summary', name: nameOf(summary) };
  }
  const root = queryRoot(hidden);
  if (roleOf(hidden) === 'tabpanel') {
    const by = hidden.getAttribute('aria-labelledby');
    const tab = by ? (root as Document).getElementById?.(by.split(/\s+/)[0]!) ?? root.querySelector(`[id=${cssString(by.split(/\s+/)[0]!)}]`) : null;
    if (tab) return { element: tab, how: 'tab', name: nameOf(tab) };
  }
  for (const id of idsOf(hidden)) {
    const c = declaredController(root, id);
    if (c && !hidden.contains(c.element)) return { element: c.element, how: c.how, name: nameOf(c.element) };
  }
  const label = checkboxHack(hidden);
  if (label) return { element: label, how: 'toggle', name: nameOf(label) };
  const toggle = popupToggle(hidden);
  if (toggle) return { element: toggle, how: 'popup', name: nameOf(toggle) };
  return null;
}

/** Rendered with a box (a collapsed panel has none); a `display: contents` wrapper counts as shown. */
function shown(el: Element): boolean {
  const anyEl = el as Element & { checkVisibility?: (o?: object) => boolean };
  if (typeof anyEl.checkVisibility === 'function' && !anyEl.checkVisibility({ checkVisibilityCSS: true })) return false;
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.height > 0) return true;
  const view = el.ownerDocument.defaultView;
  return !!view && view.getComputedStyle(el).display === 'contents';
}

/**
 * The opener to use now so that `target` becomes visible (when the opener itself is hidden, the
 * one that reveals it: open that first, then ask again); null when nothing the page declares
 * would show it.
 */
export function findOpener(target: Element, maxDepth = 3): Opener | null {
  let el: Element = target;
  for (let depth = 0; depth < maxDepth; depth++) {
    let opener: Opener | null = null;
    // Up through the hidden ancestors (and closed <details>, which render their summary).
    for (let cur: Element | null = el; cur && !opener; cur = parentOf(cur)) {
      const closedDetails = cur !== el && cur.localName === 'details' && !(cur as HTMLDetailsElement).open;
      if (!closedDetails && cur !== el && shown(cur)) break;
      if (cur === el && shown(cur)) continue;
      opener = openerFor(cur, el);
    }
    if (!opener) return null;
    if (shown(opener.element)) return opener;
    el = opener.element;
  }
  return null;
}
