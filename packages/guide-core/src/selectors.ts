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
import { attrSelector, cssEscape, deepQueryAll, isStableClass, isStableId, isVisible, openShadowRoot, rootOf, TEST_ID_ATTRS, testIdOf, type ShadowAccess } from './dom-util.js';
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

/**
 * Short unique CSS within the element's own root: test id, stable id, a unique `tag[name]`,
 * then @medv/finder with a small budget (each check is a document query), and finally a path
 * anchored at the nearest ancestor with a stable id.
 */
export function cssSelector(el: Element): string | null {
  const root = rootOf(el);
  const ts = testIdSelector(el);
  if (ts && uniqueIn(root, ts, el)) return ts;
  const ids = idSelector(el);
  if (ids) return ids;
  const name = el.getAttribute('name');
  if (name && name.length < 80) {
    const sel = `${el.localName}${attrSelector('name', name)}`;
    const doc = root as Document;
    // getElementsByName is indexed by the browser; shadow roots are small enough to query.
    const unique = doc.getElementsByName ? Array.from(doc.getElementsByName(name)).filter((e) => e.localName === el.localName).length === 1 : uniqueIn(root, sel, el);
    if (unique) return sel;
  }
  // One query each: a stable class, alone or under the nearest stable-id ancestor.
  const cls = Array.from(el.classList).find((c) => isStableClass(c));
  const anchor = stableAnchor(el);
  if (cls) {
    const sel = `${el.localName}.${cssEscape(cls)}`;
    const doc = root as Document;
    const sameClass = doc.getElementsByClassName ? doc.getElementsByClassName(cls) : null;
    let count = 0;
    if (sameClass) for (let i = 0; i < sameClass.length && count < 2; i++) if (sameClass[i].localName === el.localName) count++;
    if (sameClass ? count === 1 : uniqueIn(root, sel, el)) return sel;
    if (anchor && uniqueIn(root, `${anchor.selector} ${sel}`, el)) return `${anchor.selector} ${sel}`;
  }
  if (anchor && anchor.depth <= 6) return anchoredCss(el);
  // finder's search grows with the page; on large pages a positional path is the honest answer
  // (primary then comes from the test id, id or role+name when there is one).
  if (elementCount(root) > FINDER_MAX_ELEMENTS) return anchoredCss(el);
  try {
    const rootEl = (root as Document).documentElement ? ((root as Document).body ?? (root as Document).documentElement) : (root as unknown as Element);
    return finder(el, {
      root: rootEl,
      idName: (n) => isStableId(n),
      className: (n) => isStableClass(n),
      attr: (n, v) => FINDER_ATTRS.has(n) && v.length < 60,
      timeoutMs: 5,
      seedMinLength: 2,
      optimizedMinLength: 2,
      maxNumberOfPathChecks: 200,
    });
  } catch {
    return anchoredCss(el);
  }
}

const FINDER_MAX_ELEMENTS = 1500;

function elementCount(root: Document | ShadowRoot): number {
  // A live collection: Chrome caches its length until the DOM changes.
  return (root as Document).getElementsByTagName ? (root as Document).getElementsByTagName('*').length : root.querySelectorAll('*').length;
}

/** Nearest ancestor with a stable id unique in its root, and how many levels up it is. */
function stableAnchor(el: Element): { selector: string; depth: number } | null {
  let depth = 1;
  for (let cur = el.parentElement; cur; cur = cur.parentElement, depth++) {
    if (isStableId(cur.id)) {
      const sel = `#${cssEscape(cur.id)}`;
      if (rootOf(cur).querySelectorAll(sel).length === 1) return { selector: sel, depth };
    }
  }
  return null;
}

const FINDER_ATTRS = new Set(['name', 'type', 'placeholder', 'aria-label', 'for', 'role', 'title', 'alt', ...TEST_ID_ATTRS]);

/** `#anchor > div:nth-of-type(2) > input`: positional below the nearest stable-id ancestor. */
export function anchoredCss(el: Element): string {
  const parts: string[] = [];
  let cur: Element | null = el;
  while (cur && cur.parentElement) {
    if (cur !== el && isStableId(cur.id) && rootOf(cur).querySelectorAll(`#${cssEscape(cur.id)}`).length === 1) {
      parts.unshift(`#${cssEscape(cur.id)}`);
      return parts.join(' > ');
    }
    const tag = cur.localName;
    let n = 1;
    for (let s = cur.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === tag) n++;
    parts.unshift(`${cssEscape(tag)}:nth-of-type(${n})`);
    cur = cur.parentElement;
  }
  if (cur) parts.unshift(cur.localName);
  return parts.join(' > ');
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

const FIELD_TAGS = new Set(['input', 'select', 'textarea']);

function lengthPlausible(raw: string, want: string): boolean {
  return raw.length >= want.length && raw.length <= want.length * 3 + 40;
}

/** Text of an element without building a string for large subtrees when one text node holds it. */
function quickText(el: Element): string {
  const first = el.firstChild;
  if (first && !first.nextSibling && first.nodeType === 3) return first.nodeValue || '';
  return el.textContent || '';
}

/** Same-tag elements: a live collection for documents (Chrome caches it until the DOM changes). */
function sameTag(root: Document | ShadowRoot, tag: string): ArrayLike<Element> {
  return (root as Document).getElementsByTagName ? (root as Document).getElementsByTagName(tag) : root.querySelectorAll(tag);
}

/**
 * Elements that could share `el`'s accessible name, found cheaply: same-tag elements whose
 * aria-label, title, placeholder or text match, controls of labels with that text, and
 * elements named by aria-labelledby. Only these get the full accessible-name computation, one at
 * a time, so that the first confirmed namesake ends the search.
 */
function* possibleNamesakes(el: Element, name: string, want: string): Generator<Element> {
  const root = rootOf(el);
  const field = FIELD_TAGS.has(el.localName);
  const same = sameTag(root, el.localName);
  for (let i = 0; i < same.length; i++) {
    const other = same[i];
    if (other === el) continue;
    const attr = other.getAttribute('aria-label') || other.getAttribute('title') || (field ? other.getAttribute('placeholder') : null);
    if (attr !== null) {
      if (attr === name || (lengthPlausible(attr, want) && normalizeText(attr) === want)) yield other;
      continue;
    }
    if (other.hasAttribute('aria-labelledby')) {
      yield other;
      continue;
    }
    if (!field) {
      const t = quickText(other);
      if (lengthPlausible(t, want) && normalizeText(t) === want) yield other;
    }
  }
  if (field) {
    const labels = sameTag(root, 'label');
    for (let i = 0; i < labels.length; i++) {
      const t = quickText(labels[i]);
      if (!lengthPlausible(t, want) || normalizeText(t) !== want) continue;
      const control = (labels[i] as HTMLLabelElement).control;
      if (control && control !== el) yield control;
    }
  }
  const explicit = el.getAttribute('role');
  if (explicit) {
    for (const other of Array.from(root.querySelectorAll(`[role="${explicit}"]`))) {
      if (other !== el && other.localName !== el.localName) yield other;
    }
  }
}

/** The `aria/Name[role="x"]` query for a role and accessible name, before any uniqueness check. */
export function ariaCandidate(role: string | null, name: string): { selector: string; want: string } | null {
  if (!role || !name || name.length > 120 || /[[\]"]/.test(name)) return null;
  const want = normalizeText(name);
  if (!want) return null;
  return { selector: `aria/${quoteAria(name)}[role="${role}"]`, want };
}

/** Attributes that name an element (what `possibleNamesakes` reads). */
const NAME_ATTRS = new Set(['aria-label', 'title', 'placeholder', 'aria-labelledby']);

/**
 * Whether another element of `el`'s root has `el`'s role and (normalised) name `want`.
 * `changes` are the DOM changes made since the moment the answer is wanted for (the event), when
 * the check runs later: an element they removed, renamed away from `want` or may have hidden
 * still counts, so a change can only withhold an ARIA selector, never make an ambiguous one.
 */
export function hasNamesake(el: Element, role: string, name: string, want: string, changes: readonly MutationRecord[] = []): boolean {
  const touched = changes.length ? changes.filter((r) => r.type === 'attributes').map((r) => r.target) : [];
  for (const other of possibleNamesakes(el, name, want)) {
    // Not rendered (a closed dialog, a hidden tab): not in the accessibility tree the query reads.
    if (!isVisible(other)) {
      // Hidden by a change since, it may have been shown then; its name, computed now, would
      // be empty: the name that made it a possible namesake counts.
      if (touched.some((t) => t.contains(other)) && roleOf(other) === role) return true;
      continue;
    }
    if (roleOf(other) === role && normalizeText(accessibleNameOf(other)) === want) return true;
  }
  return changes.length ? namesakeInChanges(el, role, want, changes) : false;
}

/** Up to `max` rendered elements of `el`'s root with `el`'s role and (normalised) name `want`. */
export function namesakesOf(el: Element, role: string, name: string, want: string, max = 3): Element[] {
  const out: Element[] = [];
  for (const other of possibleNamesakes(el, name, want)) {
    if (out.length >= max) break;
    if (out.includes(other) || !isVisible(other)) continue;
    if (roleOf(other) === role && normalizeText(accessibleNameOf(other)) === want) out.push(other);
  }
  return out;
}

/** A namesake that `changes` removed or renamed (its former name read from the records). */
function namesakeInChanges(el: Element, role: string, want: string, changes: readonly MutationRecord[]): boolean {
  const tag = el.localName;
  const explicit = el.getAttribute('role');
  const candidate = (o: Element): boolean => o !== el && (o.localName === tag || (!!explicit && o.getAttribute('role') === explicit));
  const holder = (n: Node | null): Element | null => {
    const start: Element | null = !n ? null : n.nodeType === 1 ? (n as Element) : n.parentElement;
    for (let cur = start; cur; cur = cur.parentElement) if (candidate(cur)) return cur;
    return null;
  };
  const was = (text: string | null) => !!text && normalizeText(text) === want;
  for (const r of changes) {
    if (r.type === 'attributes') {
      const o = r.target as Element;
      if (!NAME_ATTRS.has(r.attributeName ?? '') || !candidate(o) || roleOf(o) !== role) continue;
      // A label added since hides the name the content gave before.
      if (was(r.oldValue) || (r.oldValue === null && was(o.textContent))) return true;
    } else if (r.type === 'characterData') {
      const o = holder(r.target);
      if (o && was(r.oldValue) && roleOf(o) === role) return true;
    } else {
      for (const n of Array.from(r.removedNodes)) {
        if (n.nodeType === 3) {
          const o = holder(r.target);
          if (o && was(n.nodeValue) && roleOf(o) === role) return true;
        } else if (n.nodeType === 1) {
          const e = n as Element;
          for (const o of [e, ...Array.from(e.querySelectorAll(explicit ? `${cssEscape(tag)},${attrSelector('role', explicit)}` : cssEscape(tag)))]) {
            if (candidate(o) && roleOf(o) === role && normalizeText(accessibleNameOf(o)) === want) return true;
          }
        }
      }
    }
  }
  return false;
}

/**
 * Records every DOM change in `root` from now until `stop()`: what a check run later needs to
 * know about the moment it was asked for.
 */
export function watchChanges(root: Document | ShadowRoot): { stop(): MutationRecord[] } {
  const seen: MutationRecord[] = [];
  const observer = new MutationObserver((records) => {
    for (const r of records) seen.push(r);
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeOldValue: true, characterData: true, characterDataOldValue: true });
  return {
    stop() {
      for (const r of observer.takeRecords()) seen.push(r);
      observer.disconnect();
      return seen;
    },
  };
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

/** Origin and path of a URL (query and fragment may carry per-visit data); '' when unparsable. */
export function originAndPath(url: string): string {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? '' : `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}

/** Origin and path of each same-origin frame document holding `el`, outermost first (as `framePath`). */
export function frameUrls(el: Element): string[] {
  const out: string[] = [];
  let win: Window | null = el.ownerDocument.defaultView;
  while (win && win.frameElement && win.parent !== win) {
    out.unshift(originAndPath(win.location.href));
    win = win.parent;
  }
  return out;
}

/** Whether some shadow root between `el` and its document is closed. */
export function inClosedShadow(el: Element): boolean {
  for (let root = el.getRootNode() as ShadowRoot; root.host; root = root.host.getRootNode() as ShadowRoot) {
    if (root.mode === 'closed') return true;
  }
  return false;
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
export function resolveSelector(root: QueryRoot, selector: string, shadowOf: ShadowAccess = openShadowRoot): Element[] {
  if (!selector) return [];
  if (selector.startsWith('aria/')) {
    const { name, role } = parseAria(selector);
    const want = normalizeText(name);
    const out: Element[] = [];
    for (const el of deepQueryAll(root, '*', shadowOf)) {
      if (role && roleOf(el) !== role) continue;
      if (normalizeText(accessibleNameOf(el)) === want) out.push(el);
    }
    return out;
  }
  if (selector.startsWith('xpath/')) return evaluateXpath(root, selector.slice(6));
  if (selector.startsWith('/') || selector.startsWith('(')) return evaluateXpath(root, selector);
  if (selector.startsWith('pierce/')) {
    try {
      return deepQueryAll(root, selector.slice(7), shadowOf);
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
export function resolveShadowChain(root: QueryRoot, chain: readonly string[], shadowOf: ShadowAccess = openShadowRoot): Element[] {
  let scope: QueryRoot[] = [root];
  for (let i = 0; i < chain.length; i++) {
    const next: Element[] = [];
    for (const s of scope) next.push(...resolveSelector(s, chain[i]!, shadowOf));
    if (i === chain.length - 1) return next;
    scope = next.map((e) => shadowOf(e)).filter((r): r is ShadowRoot => !!r);
  }
  return [];
}
