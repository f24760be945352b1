/** describeElement: what we record about an element so that it can be found again. */
import type { ElementMeta, Selectors, StepTarget } from './types.js';
import { isStableId, isVisible, rootOf, stableClasses, TEST_ID_ATTRS, testIdOf } from './dom-util.js';
import { isSensitiveField, maskSensitiveText, type PrivacyOptions } from './privacy.js';
import {
  absoluteXpath,
  accessibleNameOf,
  ariaCandidate,
  cssSelector,
  framePath,
  frameUrls,
  idRelativeXpath,
  inClosedShadow,
  hasNamesake,
  namesakesOf,
  roleOf,
  shadowChain,
  testIdSelector,
  watchChanges,
} from './selectors.js';

export interface DescribeOptions extends PrivacyOptions {
  /** Skip selector generation (used for healing candidates, where only metadata is scored). */
  metaOnly?: boolean;
  /** When given, milliseconds spent per part are added to it (benchmarks). */
  timings?: Record<string, number>;
}

function timed<T>(timings: Record<string, number> | undefined, part: string, f: () => T): T {
  if (!timings) return f();
  const t0 = performance.now();
  const v = f();
  timings[part] = (timings[part] ?? 0) + performance.now() - t0;
  return v;
}

const MAX_TEXT = 200;
/** Contract bounds: a selector longer than this is dropped (a cut selector would be wrong). */
const MAX_SELECTOR = 1000;
const MAX_XPATH = 2000;
const MAX_URL = 2048;

function bounded(value: string | null, max: number): string | null {
  return value && value.length <= max ? value : null;
}

function clip(s: string | null | undefined, max = MAX_TEXT): string | null {
  if (!s) return null;
  const v = s.replace(/\s+/g, ' ').trim();
  if (!v) return null;
  return v.length > max ? v.slice(0, max) : v;
}

/** Visible text of an element without forcing layout of hidden subtrees. */
/** Text nodes under `root`, words of separate nodes kept apart, whole subtrees skipped on demand. */
function textSkipping(root: Element, skip: ((el: Element) => boolean) | null, max: number): string {
  if (!skip) {
    // Common case, no deny-list: text nodes only, no per-node callback.
    const walker = root.ownerDocument.createTreeWalker(root, 4 /* SHOW_TEXT */);
    let out = '';
    for (let n = walker.nextNode(); n && out.length < max; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (parent && SKIP_TEXT_TAGS.has(parent.localName)) continue;
      const t = n.nodeValue;
      if (t && t.trim()) out += (out ? ' ' : '') + t.trim();
    }
    return out.slice(0, max);
  }
  const walker = root.ownerDocument.createTreeWalker(root, 1 | 4 /* SHOW_ELEMENT | SHOW_TEXT */, {
    acceptNode: (n) =>
      n.nodeType === 1
        ? SKIP_TEXT_TAGS.has((n as Element).localName) || skip(n as Element)
          ? 2 /* FILTER_REJECT: the whole subtree */
          : 3 /* FILTER_SKIP: look at the children */
        : 1 /* FILTER_ACCEPT */,
  });
  let out = '';
  for (let n = walker.nextNode(); n && out.length < max; n = walker.nextNode()) {
    const t = n.nodeValue;
    if (t && t.trim()) out += (out ? ' ' : '') + t.trim();
  }
  return out.slice(0, max);
}

function denyMatcher(options: PrivacyOptions): ((el: Element) => boolean) | null {
  const list = (options.denySelectors ?? []).filter(Boolean);
  if (!list.length) return null;
  return (el) =>
    list.some((sel) => {
      try {
        return el.matches(sel);
      } catch {
        return false;
      }
    });
}

function containsDenied(el: Element, options: PrivacyOptions): boolean {
  for (const sel of options.denySelectors ?? []) {
    try {
      if (el.matches(sel) || el.querySelector(sel)) return true;
    } catch {
      /* invalid selector: ignored */
    }
  }
  return false;
}

function visibleText(el: Element, options: PrivacyOptions = {}): string {
  const h = el as HTMLElement;
  if (el.localName === 'select') {
    const s = el as HTMLSelectElement;
    return s.selectedOptions[0]?.textContent ?? '';
  }
  if (el.localName === 'input' || el.localName === 'textarea') {
    const type = (el.getAttribute('type') || '').toLowerCase();
    // Button-like inputs show their value; text fields' values are user data, not identity.
    if (['button', 'submit', 'reset'].includes(type)) return (el as HTMLInputElement).value;
    return '';
  }
  // Deny-listed content inside the element never enters its text.
  const deny = denyMatcher(options);
  if (deny && containsDenied(el, options)) return textSkipping(el, deny, 2000);
  const raw = el.textContent || '';
  // innerText is layout-aware (spacing, hidden parts) but costly on huge subtrees.
  const t = raw.length <= 5000 && typeof h.innerText === 'string' && h.isConnected ? h.innerText : raw;
  return t.slice(0, 2000);
}

function labelText(el: Element): string | null {
  const parts: string[] = [];
  const labels = (el as HTMLInputElement).labels;
  if (labels && labels.length) {
    for (const l of Array.from(labels)) parts.push(l.textContent || '');
  }
  const ids = el.getAttribute('aria-labelledby');
  if (ids) {
    const root = rootOf(el);
    for (const id of ids.split(/\s+/)) {
      const ref = (root as Document).getElementById?.(id) ?? root.querySelector(`[id="${id}"]`);
      if (ref) parts.push(ref.textContent || '');
    }
  }
  return clip(parts.join(' '));
}

const SKIP_TEXT_TAGS = new Set(['script', 'style', 'noscript', 'template', 'svg']);

/** Some text node under `el` holds more than whitespace (stops at the first; no string of it all). */
function hasText(el: Element): boolean {
  const walker = el.ownerDocument.createTreeWalker(el, 4 /* SHOW_TEXT */);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.nodeValue && n.nodeValue.trim()) return true;
  return false;
}

/** Text of a rendered sibling, words of separate elements kept apart ("Home Reports"). */
function siblingText(s: Element, options: PrivacyOptions, max = 150): string {
  if (SKIP_TEXT_TAGS.has(s.localName)) return '';
  if (!hasText(s) || !isVisible(s)) return '';
  const deny = denyMatcher(options);
  if (deny && deny(s)) return '';
  return textSkipping(s, deny, max);
}

/** Visible text around the element: preceding and following siblings, then up the tree. */
/** A row of a table or list: its cells name the thing the element acts on ("Edit" on INV-1051). */
function isRow(el: Element): boolean {
  const role = el.getAttribute('role');
  return el.localName === 'tr' || el.localName === 'li' || el.localName === 'article' || role === 'row' || role === 'listitem';
}

/**
 * Visible text around the element: preceding and following siblings, then up the tree. Inside a
 * table or list row the whole row is read (its first cells name it) and the walk stops there:
 * the rows around it look alike and would only blur which row it was.
 */
function nearbyText(el: Element, options: PrivacyOptions): string | null {
  const own = (el.textContent || '').trim();
  let out = '';
  let cur: Element | null = el;
  for (let depth = 0; depth < 4 && cur && cur.parentElement && out.length < 120; depth++) {
    const pieces: string[] = [];
    const row = isRow(cur.parentElement);
    if (row) {
      let n = 0;
      for (let s: Element | null = cur.parentElement.firstElementChild; s && n < 8; s = s.nextElementSibling) {
        if (s === cur) continue;
        pieces.push(siblingText(s, options));
        n++;
      }
    } else {
      for (let s = cur.previousElementSibling, n = 0; s && n < 3; s = s.previousElementSibling, n++) pieces.unshift(siblingText(s, options));
      for (let s = cur.nextElementSibling, n = 0; s && n < 3; s = s.nextElementSibling, n++) pieces.push(siblingText(s, options));
    }
    const text = pieces.join(' ').replace(/\s+/g, ' ').trim();
    if (text && text !== own) out = out ? `${out} ${text}` : text;
    if (row) break;
    cur = cur.parentElement;
  }
  return clip(maskSensitiveText(out));
}

/** Headings and landmarks containing the element (innermost first): screen context. */
const LANDMARK_TAGS = new Set(['header', 'footer', 'nav', 'main', 'aside', 'form', 'dialog', 'table']);
// ARIA landmark roles, written as the element that would carry them natively.
const LANDMARK_ROLES: Record<string, string> = {
  navigation: 'nav', banner: 'header', contentinfo: 'footer', complementary: 'aside', main: 'main',
  dialog: 'dialog', alertdialog: 'dialog', form: 'form', search: 'form', menu: 'nav', menubar: 'nav', toolbar: 'nav', tablist: 'nav',
};

/** The parent, or the shadow host when `el` is at the top of a shadow root. */
function parentOf(el: Element): Element | null {
  return el.parentElement ?? (((el.getRootNode() as ShadowRoot).host as Element | undefined) || null);
}

function contextOf(el: Element): string[] | null {
  const out: string[] = [];
  for (let cur = parentOf(el); cur && out.length < 5; cur = parentOf(cur)) {
    const role = cur.getAttribute('role');
    const tag = LANDMARK_TAGS.has(cur.localName) ? cur.localName : role ? LANDMARK_ROLES[role] : undefined;
    if (tag) {
      const label = cur.getAttribute('aria-label') || '';
      out.push(clip(`${tag}${label ? ` ${label}` : ''}`, 100)!);
    }
  }
  return out.length ? out : null;
}

function boxOf(el: Element): ElementMeta['bounding_box'] {
  const r = el.getBoundingClientRect();
  const view = el.ownerDocument.defaultView;
  const sx = view ? view.scrollX : 0;
  const sy = view ? view.scrollY : 0;
  const round = (n: number) => Math.round(n * 10) / 10;
  return { x: round(r.left + sx), y: round(r.top + sy), width: round(r.width), height: round(r.height) };
}

const STABLE_ATTRS = ['id', 'name', 'type', 'href', 'alt', 'title', 'placeholder', 'aria-label', 'for', 'role', 'autocomplete', ...TEST_ID_ATTRS];

function stableAttrs(el: Element, sensitive: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const a of STABLE_ATTRS) {
    const v = el.getAttribute(a);
    if (!v || n >= 20) continue;
    if (a === 'id' && !isStableId(v)) continue;
    if (sensitive && a === 'placeholder' && /\d{4}/.test(v)) continue;
    out[a.replace(/-/g, '_')] = v.slice(0, 300);
    n++;
  }
  return out;
}

/** Describe one element: selectors plus metadata, with sensitive values withheld. */
export function describeElement(el: Element, options: DescribeOptions = {}): StepTarget {
  return describe(el, options, false).finish();
}

/** A description whose last part, the page-wide check of the ARIA selector, is still to do. */
export interface PendingTarget {
  /**
   * The description as `describeElement` would have given it when `beginDescribe` was called:
   * DOM changes since then (the page's own handlers of the event) cannot make the ARIA selector
   * ambiguous, only withhold it. Idempotent.
   */
  finish(): StepTarget;
}

/**
 * `describeElement` in two parts, for an event listener: everything read from the element and
 * its surroundings now (they may change right after the event), and the walk over the page
 * that checks that no other element shares the element's ARIA role and name in `finish()`,
 * which the caller runs after the event (DOM changes in between are recorded meanwhile).
 */
export function beginDescribe(el: Element, options: DescribeOptions = {}): PendingTarget {
  return describe(el, options, true);
}

function describe(el: Element, options: DescribeOptions, deferred: boolean): PendingTarget {
  const sensitive = isSensitiveField(el, options);
  const role = roleOf(el);
  const tag = el.tagName.toUpperCase();
  const name = el.getAttribute('name');
  // A name computed from content would carry deny-listed text: keep only an explicit label then.
  const accName = containsDenied(el, options) ? clip(el.getAttribute('aria-label')) : clip(accessibleNameOf(el));
  const inner = sensitive ? null : clip(maskSensitiveText(visibleText(el, options)));
  const parent = el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
  const testIds: Record<string, string> = {};
  for (const a of TEST_ID_ATTRS) {
    const v = el.getAttribute(a);
    if (v) testIds[a.replace(/-/g, '_')] = v.slice(0, 200);
  }
  const href = el.getAttribute('href');
  const meta: ElementMeta = {
    tag_name: tag,
    role,
    type: el.getAttribute('type'),
    name: name ? name.slice(0, 200) : null,
    placeholder: clip(el.getAttribute('placeholder')),
    inner_text: inner,
    label_text: labelText(el),
    nearby_text: nearbyText(el, options),
    classes: stableClasses(el),
    bounding_box: boxOf(el),
    parent_tag: parent ? parent.tagName.toUpperCase() : null,
    parent_classes: parent ? stableClasses(parent) : null,
    accessible_name: sensitive && accName && accName === clip(visibleText(el)) ? null : accName,
    id: el.id ? el.id.slice(0, 200) : null,
    test_ids: Object.keys(testIds).length ? testIds : null,
    aria_label: clip(el.getAttribute('aria-label')),
    href: href ? href.slice(0, 500) : null,
    alt: clip(el.getAttribute('alt')),
    title: clip(el.getAttribute('title')),
    context: contextOf(el),
  };
  if (sensitive) meta.value_masked = true;

  if (options.metaOnly) {
    const target: StepTarget = {
      selectors: {
        primary: null,
        css: null,
        xpath: null,
        data_testid: testIdOf(el)?.value.slice(0, 200) ?? null,
        stable_attrs: stableAttrs(el, sensitive),
        xpath_alt: (el.getRootNode() as ShadowRoot).host ? null : bounded(absoluteXpath(el), MAX_XPATH),
      },
      element_meta: meta,
    };
    return { finish: () => target };
  }

  const t = options.timings;
  const ts = testIdOf(el);
  const css = timed(t, 'css', () => cssSelector(el));
  const candidate = ariaCandidate(role, accName ?? '');
  const changes = deferred && candidate ? watchChanges(rootOf(el)) : null;
  const inShadow = !!(el.getRootNode() as ShadowRoot).host;
  const chain = timed(t, 'shadow', () => shadowChain(el));
  const frames = timed(t, 'frames', () => framePath(el));
  const urls = frames.length ? frameUrls(el) : [];
  const tsSel = testIdSelector(el);
  const root = rootOf(el);
  const tsUnique = !!tsSel && root.querySelectorAll(tsSel).length === 1;
  const idSel = isStableId(el.id) && css === `#${CSS.escape(el.id)}` ? css : null;
  const xpath = inShadow ? null : bounded(timed(t, 'xpath', () => idRelativeXpath(el)), MAX_XPATH);
  const stable = stableAttrs(el, sensitive);
  const xpathAlt = inShadow ? null : bounded(absoluteXpath(el), MAX_XPATH);
  let done: StepTarget | null = null;
  return {
    finish() {
      if (done) return done;
      const records = changes ? changes.stop() : [];
      const ambiguous = !!candidate && timed(t, 'aria', () => hasNamesake(el, role!, accName ?? '', candidate.want, records));
      const aria = candidate && !ambiguous ? candidate.selector : null;
      // Elements with the same role and name: where they are, so a walkthrough never takes one
      // of them for this one once this one is gone.
      if (ambiguous && !meta.lookalikes) {
        const others = namesakesOf(el, role!, accName ?? '', candidate!.want);
        if (others.length) meta.lookalikes = others.map((o) => ({ context: contextOf(o), nearby_text: nearbyText(o, options) }));
      }
      const primary = (tsUnique ? tsSel : null) ?? idSel ?? aria ?? css;
      const selectors: Selectors = {
        primary: bounded(primary, MAX_SELECTOR),
        css: bounded(css, MAX_SELECTOR),
        xpath,
        data_testid: ts ? ts.value.slice(0, 200) : null,
        stable_attrs: stable,
        aria,
        xpath_alt: xpathAlt,
        pierce: css && css.length <= MAX_SELECTOR - 7 ? `pierce/${css}` : null,
        shadow_chain: chain && chain.length <= 20 && chain.every((c) => c.length <= MAX_SELECTOR) ? chain : null,
        frame_path: frames.length && frames.length <= 10 && frames.every((c) => c.length <= MAX_SELECTOR) ? frames : null,
        frame_urls: frames.length && urls.length === frames.length && urls.length <= 10 && urls.every((u) => u && u.length <= MAX_URL) ? urls : null,
        in_closed_shadow: chain ? inClosedShadow(el) : null,
      };
      done = { selectors, element_meta: meta };
      return done;
    },
  };
}
