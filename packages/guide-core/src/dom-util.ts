/** Small DOM helpers shared by describe, locate and the interaction filter. */
import { looksGenerated } from './score.js';

export const TEST_ID_ATTRS = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy', 'data-automation-id'];

export function cssEscape(value: string): string {
  const g = globalThis as { CSS?: { escape?: (s: string) => string } };
  if (g.CSS && g.CSS.escape) return g.CSS.escape(value);
  return value.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
}

export function attrSelector(name: string, value: string): string {
  return `[${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`;
}

/** The root (document or shadow root) that holds `el`. */
export function rootOf(el: Element): Document | ShadowRoot {
  const r = el.getRootNode();
  return (r as ShadowRoot).host ? (r as ShadowRoot) : (el.ownerDocument as Document);
}

export function isStableId(id: string | null | undefined): id is string {
  return !!id && id.length <= 80 && !looksGenerated(id) && !/^\d/.test(id) && !/\s/.test(id);
}

// Class names from CSS-in-JS, CSS modules and utility hashes carry no meaning across builds.
const GENERATED_CLASS_PREFIX = /^(?:css|sc|jsx|emotion|svelte|makeStyles|ng-tns)-/;
const HASH_SEGMENT = /(?:^|[_-])(?=[a-zA-Z0-9]{5,}$)(?=[^_-]*\d)[a-zA-Z0-9]+$/;

export function isStableClass(name: string): boolean {
  if (!name || name.length > 60) return false;
  if (GENERATED_CLASS_PREFIX.test(name) || HASH_SEGMENT.test(name)) return false;
  return !looksGenerated(name);
}

/**
 * Classes worth recording for similarity: everything but pure CSS-in-JS hashes. CSS-module
 * names (`Btn_danger__3x9`) stay: their words survive a rebuild even when the hash does not.
 */
export function stableClasses(el: Element, max = 20): string[] {
  const out: string[] = [];
  for (const c of Array.from(el.classList)) {
    if (c.length <= 100 && !GENERATED_CLASS_PREFIX.test(c) && /(?:^|[^a-zA-Z])[a-zA-Z]{2,}(?=$|[^a-zA-Z0-9])|^[a-zA-Z]{2,}/.test(c)) out.push(c);
    if (out.length >= max) break;
  }
  return out;
}

export function testIdOf(el: Element): { attr: string; value: string } | null {
  for (const a of TEST_ID_ATTRS) {
    const v = el.getAttribute(a);
    if (v) return { attr: a, value: v };
  }
  return null;
}

/** Visible: rendered with a non-empty box, not `visibility: hidden`. */
export function isVisible(el: Element): boolean {
  const view = el.ownerDocument.defaultView;
  if (!view) return false;
  const anyEl = el as Element & { checkVisibility?: (o?: object) => boolean };
  if (typeof anyEl.checkVisibility === 'function') {
    if (!anyEl.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true })) return false;
  } else {
    const style = view.getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
  }
  const r = el.getBoundingClientRect();
  return r.width > 0 || r.height > 0;
}

export function isEnabled(el: Element): boolean {
  if ((el as HTMLButtonElement).disabled === true) return false;
  if (el.closest('fieldset[disabled]') && el.matches('input,select,textarea,button')) return false;
  return el.getAttribute('aria-disabled') !== 'true';
}

/**
 * A host's shadow root, closed ones included where the caller can open them (an extension's
 * `chrome.dom.openOrClosedShadowRoot`); by default the open root only.
 */
export type ShadowAccess = (host: Element) => ShadowRoot | null;

export const openShadowRoot: ShadowAccess = (host) => host.shadowRoot;

/** Children (including shadow roots' content) in document order, depth first. */
export function* allElements(root: Document | ShadowRoot | Element, shadowOf: ShadowAccess = openShadowRoot): Generator<Element> {
  const stack: Element[] = [];
  const start = (root as Document).documentElement ?? root;
  if ((root as Document).documentElement) stack.push(start as Element);
  else for (let c = (root as ParentNode).lastElementChild; c; c = c.previousElementSibling) stack.push(c);
  while (stack.length) {
    const el = stack.pop()!;
    yield el;
    const sr = shadowOf(el);
    for (let c = el.lastElementChild; c; c = c.previousElementSibling) stack.push(c);
    if (sr) for (let c = sr.lastElementChild; c; c = c.previousElementSibling) stack.push(c);
  }
}

/** querySelectorAll that also searches every (reachable) shadow root below `root`. */
export function deepQueryAll(root: Document | ShadowRoot | Element, selector: string, shadowOf: ShadowAccess = openShadowRoot): Element[] {
  const out: Element[] = [];
  const visit = (r: Document | ShadowRoot | Element) => {
    out.push(...Array.from(r.querySelectorAll(selector)));
    for (const el of Array.from(r.querySelectorAll('*'))) {
      const sr = shadowOf(el);
      if (sr) visit(sr);
    }
  };
  visit(root);
  return out;
}
