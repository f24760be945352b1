/**
 * Selector generation and resolution. Forms understood by `resolveSelector`:
 *   plain CSS                      `#invoice_number`, `form > div.vendor > select`
 *   `aria/Name[role="button"]`     Puppeteer / DevTools Recorder ARIA query
 *   `xpath/<xpath>` or `/…`, `//…` XPath (document- or shadow-root-relative)
 *   `pierce/<css>`                 CSS searched in the document and every open shadow root
 * A shadow chain (`selectors.shadow_chain`) is resolved step by step through shadow roots.
 */
import { finder } from '@medv/finder';
import { computeAccessibleName, getRole } from 'dom-accessibility-api';
import { attrSelector, cssEscape, deepQueryAll, isStableClass, isStableId, rootOf, testIdOf } from './dom-util.js';
import { normalizeText } from './text.js';

export function roleOf(el: Element): string | null {
  try {
    return getRole(el) || null;
  } catch {
    return el.getAttribute('role');
  }
}

export function accessibleNameOf(el: Element): string {
  try {
    return computeAccessibleName(el).replace(/\s+/g, ' ').trim();
  } catch {
    return '';
  }
}

function uniqueIn(root: Document | ShadowRoot, selector: string, el: Element): boolean {
  try {
    const found = root.querySelectorAll(selector);
    return found.length === 1 && found[0] === el;
  } catch {
    return false;
  }
}

export function testIdSelector(el: Element): string | null {
  const t = testIdOf(el);
  return t ? attrSelector(t.attr, t.value) : null;
}

/** `#id` when the id is stable (not generated) and unique in its root. */
export function idSelector(el: Element): string | null {
  const id = el.id;
  if (!isStableId(id)) return null;
  const sel = `#${cssEscape(id)}`;
  return uniqueIn(rootOf(el), sel, el) ? sel : null;
}

/** Short unique CSS within the element's own root (document or shadow root). */
export function cssSelector(el: Element): string | null {
  const root = rootOf(el);
  const ts = testIdSelector(el);
  if (ts && uniqueIn(root, ts, el)) return ts;
  const ids = idSelector(el);
  if (ids) return ids;
  try {
    return finder(el, {
      root: (root as Document).documentElement ? (root as Document).body ?? (root as Document).documentElement : (root as unknown as Element),
      idName: (n) => isStableId(n),
      className: (n) => isStableClass(n),
      attr: (n, v) => ['name', 'type', 'placeholder', 'aria-label', 'for', 'role', 'title', 'alt'].includes(n) && v.length < 60,
      timeoutMs: 50,
      seedMinLength: 1,
      optimizedMinLength: 2,
      maxNumberOfPathChecks: 300,
    });
  } catch {
    return positionalCss(el);
  }
}

/** `tag:nth-of-type(n)` path up to the root; always unique, never robust. */
export function positionalCss(el: Element): string {
  const parts: string[] = [];
  let cur: Element | null = el;
  while (cur && cur.parentElement) {
    const tag = cur.localName;
    let n = 1;
    for (let s = cur.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === tag) n++;
    parts.unshift(`${cssEscape(tag)}:nth-of-type(${n})`);
    cur = cur.parentElement;
  }
  if (cur) parts.unshift(cur.localName);
  return parts.join(' > ');
}

function xpathStep(el: Element): string {
  const tag = el.localName;
  let n = 1;
  for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === tag) n++;
  const name = el.namespaceURI === 'http://www.w3.org/1999/xhtml' ? tag : `*[local-name()='${tag}']`;
  return `${name}[${n}]`;
}

/** Absolute positional xpath from the root (document or shadow root). */
export function absoluteXpath(el: Element): string {
  const parts: string[] = [];
  for (let cur: Element | null = el; cur; cur = cur.parentElement) parts.unshift(xpathStep(cur));
  return '/' + parts.join('/');
}

/** Xpath relative to the nearest ancestor with a stable id, else absolute. */
export function idRelativeXpath(el: Element): string {
  const parts: string[] = [];
  for (let cur: Element | null = el; cur; cur = cur.parentElement) {
    if (isStableId(cur.id) && !cur.id.includes("'") && rootOf(cur).querySelectorAll(`#${cssEscape(cur.id)}`).length === 1) {
      return `//*[@id='${cur.id}']` + (parts.length ? '/' + parts.join('/') : '');
    }
    parts.unshift(xpathStep(cur));
  }
  return '/' + parts.join('/');
}

function quoteAria(name: string): string {
  return name.replace(/\s+/g, ' ').trim();
}

/** `aria/Name[role="x"]` when the role+name pair is unique in the element's root. */
export function ariaSelector(el: Element, role: string | null, name: string): string | null {
  if (!role || !name || name.length > 120 || /[[\]"]/.test(name)) return null;
  const root = rootOf(el);
  const want = normalizeText(name);
  // Cheap prefilter: same tag or same explicit role, then the full accessible name.
  const tagSel = el.getAttribute('role') ? `[role="${role}"]` : el.localName;
  let count = 0;
  for (const other of Array.from(root.querySelectorAll(tagSel))) {
    if (other === el) {
      count++;
      continue;
    }
    const raw = (other.getAttribute('aria-label') || other.textContent || (other as HTMLInputElement).value || '').slice(0, 400);
    if (!normalizeText(raw).includes(want.split(' ')[0] || '')) {
      if (!other.hasAttribute('aria-labelledby') && !other.id) continue;
    }
    if (roleOf(other) === role && normalizeText(accessibleNameOf(other)) === want) count++;
    if (count > 1) return null;
  }
  return count === 1 ? `aria/${quoteAria(name)}[role="${role}"]` : null;
}

/** CSS selectors of the same-origin frames holding `el`, outermost first. */
export function framePath(el: Element): string[] {
  const out: string[] = [];
  let win: Window | null = el.ownerDocument.defaultView;
  while (win && win.frameElement && win.parent !== win) {
    const frame = win.frameElement;
    out.unshift(cssSelector(frame) || positionalCss(frame));
    win = win.parent;
  }
  return out;
}

/** Selectors from the outer document into each shadow root, then within the innermost. */
export function shadowChain(el: Element): string[] | null {
  const chain: string[] = [];
  let cur: Element = el;
  let root = cur.getRootNode();
  if (!(root as ShadowRoot).host) return null;
  while ((root as ShadowRoot).host) {
    chain.unshift(cssSelector(cur) || positionalCss(cur));
    cur = (root as ShadowRoot).host;
    root = cur.getRootNode();
  }
  chain.unshift(cssSelector(cur) || positionalCss(cur));
  return chain;
}

export type QueryRoot = Document | ShadowRoot | Element;

function evaluateXpath(root: QueryRoot, xpath: string): Element[] {
  const doc = (root as Document).documentElement ? (root as Document) : (root as Node).ownerDocument!;
  // XPath does not enter shadow roots: evaluate against the shadow root's children.
  const context: Node = (root as ShadowRoot).host ? root : doc;
  const out: Element[] = [];
  try {
    const res = doc.evaluate(xpath, context, null, 7 /* ORDERED_NODE_SNAPSHOT_TYPE */, null);
    for (let i = 0; i < res.snapshotLength; i++) {
      const n = res.snapshotItem(i);
      if (n && n.nodeType === 1) out.push(n as Element);
    }
  } catch {
    /* invalid xpath: no match */
  }
  return out;
}

function parseAria(selector: string): { name: string; role: string | null } {
  const body = selector.slice(5);
  const m = /^(.*?)((?:\[[a-z]+="[^"]*"\])*)$/.exec(body);
  const name = m ? m[1] : body;
  const role = /\[role="([^"]*)"\]/.exec(body);
  return { name: name.trim(), role: role ? role[1] : null };
}

/** Every element matching a selector in any supported form. */
export function resolveSelector(root: QueryRoot, selector: string): Element[] {
  if (!selector) return [];
  if (selector.startsWith('aria/')) {
    const { name, role } = parseAria(selector);
    const want = normalizeText(name);
    const out: Element[] = [];
    for (const el of deepQueryAll(root, '*')) {
      if (role && roleOf(el) !== role) continue;
      if (normalizeText(accessibleNameOf(el)) === want) out.push(el);
    }
    return out;
  }
  if (selector.startsWith('xpath/')) return evaluateXpath(root, selector.slice(6));
  if (selector.startsWith('/') || selector.startsWith('(')) return evaluateXpath(root, selector);
  if (selector.startsWith('pierce/')) {
    try {
      return deepQueryAll(root, selector.slice(7));
    } catch {
      return [];
    }
  }
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch {
    return [];
  }
}

/** Follows a shadow chain: each step selects inside the previous element's shadow root. */
export function resolveShadowChain(root: QueryRoot, chain: readonly string[]): Element[] {
  let scope: QueryRoot[] = [root];
  for (let i = 0; i < chain.length; i++) {
    const next: Element[] = [];
    for (const s of scope) next.push(...resolveSelector(s, chain[i]));
    if (i === chain.length - 1) return next;
    scope = next.map((e) => e.shadowRoot).filter((r): r is ShadowRoot => !!r);
  }
  return [];
}
