/**
 * Deterministic similarity of a candidate element to a recorded one (Feature 3), pure over
 * StepTarget data so that it runs in Node, in a page and in a worker alike.
 *
 * Each signal yields a similarity in 0..1 and carries a weight that reflects how stable it is
 * across versions of an app (visible text, test ids, names and ids survive redesigns; absolute
 * position, classes and xpaths do not). A signal the original did not record is unknown and
 * left out of the weighted mean; one the original recorded but the candidate lacks counts as a
 * (partial) mismatch. No site-specific rule lives here.
 */
import type { ElementMeta, RankedCandidate, StepTarget } from './types.js';
import { bigrams, diceSorted, identifierTokens, leadingWords, normalizeText, tokenDice, tokens } from './text.js';

/** The brief's clear-winner rule. */
export const ACCEPT_MIN_SCORE = 80;
export const ACCEPT_MIN_MARGIN = 20;
/** Candidates below this are dropped by `locate` (brief: < 30). */
export const MIN_CANDIDATE_SCORE = 30;

/** A normalised text whose tokens and bigrams are computed on first use. */
class Text {
  private _toks?: string[];
  private _set?: Set<string>;
  private _grams?: Uint32Array;
  constructor(readonly norm: string) {}
  get toks(): string[] {
    return (this._toks ??= tokens(this.norm));
  }
  get set(): Set<string> {
    return (this._set ??= new Set(this.toks));
  }
  get grams(): Uint32Array {
    // Long container texts: the first 120 characters carry the identity.
    return (this._grams ??= bigrams(this.norm.length > 120 ? this.norm.slice(0, 120) : this.norm));
  }
}

interface Href {
  raw: string;
  host: string;
  path: string;
  pathToks: string[] | null;
  frag: string;
  /** `#`, `page#`, `javascript:…`: a script-driven control's placeholder, not a destination. */
  nowhere: boolean;
  site: string | null;
}


const cache = new WeakMap<object, Prepared>();

// Texts, class lists and hrefs repeat across candidates ("Edit", "nav-link"): prepared once and
// shared (immutable), in bounded caches that are simply dropped when full.
const MAX_CACHE = 50_000;
const textCache = new Map<string, Text | null>();
const classCache = new Map<string, string[]>();

function text(value: string | null | undefined): Text | null {
  if (!value) return null;
  let t = textCache.get(value);
  if (t !== undefined) return t;
  const norm = normalizeText(value);
  t = norm ? new Text(norm) : null;
  if (textCache.size >= MAX_CACHE) textCache.clear();
  textCache.set(value, t);
  return t;
}

function setDice(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const t of small) if (big.has(t)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** textSimilarity over prepared texts (same rule as text.ts, with cached tokens and bigrams). */
function textPair(a: Text | null, b: Text | null): number {
  if (!a || !b) return 0;
  if (a.norm === b.norm) return 1;
  const sa = a.set;
  const sb = b.set;
  let shared = 0;
  const [small, big] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
  for (const t of small) if (big.has(t)) shared++;
  const tok = (2 * shared) / (sa.size + sb.size);
  let contain = 0;
  const an = a.norm;
  const bn = b.norm;
  if (an.length >= 3 && bn.length >= 3 && (bn.includes(an) || an.includes(bn))) {
    contain = 0.55 + 0.35 * (Math.min(an.length, bn.length) / Math.max(an.length, bn.length));
  }
  if (shared === small.size && shared > 0) contain = Math.max(contain, 0.6 + 0.3 * (small.size / big.size));
  if (contain > 0) contain = leadingWords(an, bn, contain);
  const best = Math.max(tok * 0.95, contain);
  // Character bigrams only matter when they could beat the token evidence; their Dice
  // coefficient cannot exceed 2·min(|A|,|B|)/(|A|+|B|), so very unequal texts skip the merge.
  if (best >= 0.9) return Math.min(0.97, best);
  const ga = a.grams;
  const gb = b.grams;
  const bound = (1.8 * Math.min(ga.length, gb.length)) / (ga.length + gb.length || 1);
  if (bound <= best) return Math.min(0.97, best);
  return Math.min(0.97, Math.max(best, diceSorted(ga, gb) * 0.9));
}

const CLICKABLE = new Set(['a', 'button', 'summary']);
const FIELD = new Set(['input', 'textarea', 'select']);
const HEADING = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const MEDIA = new Set(['img', 'svg', 'picture', 'canvas', 'video', 'path', 'use']);
const TEXTUAL = new Set(['span', 'p', 'label', 'strong', 'em', 'b', 'i', 'small', 'font', 'dt', 'dd']);
const BLOCK = new Set(['div', 'li', 'section', 'article', 'nav', 'header', 'footer', 'form', 'ul', 'ol', 'td', 'tr']);
const BUTTON_TYPES = new Set(['button', 'submit', 'reset', 'image']);
const CLICK_ROLES = new Set([
  'button', 'link', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab', 'option', 'switch',
  'checkbox', 'radio', 'treeitem',
]);
const FIELD_ROLES = new Set(['textbox', 'combobox', 'searchbox', 'spinbutton', 'slider', 'listbox']);

/** Coarse category: elements of one category can replace each other across versions. */
export function categoryOf(tag: string, role: string, type: string): string {
  if (role && CLICK_ROLES.has(role)) return 'clickable';
  if (role && FIELD_ROLES.has(role)) return 'field';
  if (tag === 'input') return BUTTON_TYPES.has(type) ? 'clickable' : 'field';
  if (CLICKABLE.has(tag)) return 'clickable';
  if (FIELD.has(tag)) return 'field';
  if (HEADING.has(tag) || role === 'heading') return 'heading';
  if (MEDIA.has(tag) || role === 'img') return 'media';
  if (TEXTUAL.has(tag)) return 'text';
  if (BLOCK.has(tag)) return 'block';
  return 'other';
}

// Ids made by frameworks or build tools do not survive a release: digits, hashes, known prefixes.
const GENERATED_ID =
  /^(?:ember|react-|radix-|headlessui-|mui-|:r|yui_|ext-|gwt-|j_id|ng-|__next|uid-|id-?\d)|(?=[0-9a-f]*\d)[0-9a-f]{6,}|\d{3,}|^[a-z]{1,2}\d+$|[_-]\d+$/i;

export function looksGenerated(id: string): boolean {
  return GENERATED_ID.test(id) || /\d.*\d.*\d/.test(id);
}

const hrefCache = new Map<string, Href>();

/** Parsed hrefs are shared between candidates with the same href (read-only but for lazy tokens and site). */
function parseHref(raw: string | null | undefined): Href | null {
  if (!raw) return null;
  let h = hrefCache.get(raw);
  if (!h) {
    h = parseHrefUncached(raw);
    if (hrefCache.size >= MAX_CACHE) hrefCache.clear();
    hrefCache.set(raw, h);
  }
  return h;
}

function parseHrefUncached(raw: string): Href {
  const value = raw.trim();
  if (!value || value === '#') return { raw: value, host: '', path: '', pathToks: null, frag: '', nowhere: true, site: null };
  let host = '';
  let rest = value;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/i.exec(value);
  if (m) {
    host = m[1].toLowerCase().replace(/^www\./, '');
    rest = m[2];
  } else if (value.startsWith('//')) {
    const i = value.indexOf('/', 2);
    host = value.slice(2, i < 0 ? undefined : i).toLowerCase().replace(/^www\./, '');
    rest = i < 0 ? '' : value.slice(i);
  }
  const hashAt = rest.indexOf('#');
  const frag = hashAt >= 0 ? rest.slice(hashAt + 1) : '';
  const noHash = hashAt >= 0 ? rest.slice(0, hashAt) : rest;
  const q = noHash.indexOf('?');
  const path = (q >= 0 ? noHash.slice(0, q) : noHash)
    .replace(/\/+$/, '')
    .replace(/\.(html?|php|aspx?|jsp)$/i, '')
    .toLowerCase();
  const nowhere = value.endsWith('#') || /^javascript:/i.test(value);
  return { raw: value, host, path, pathToks: null, frag, nowhere, site: null };
}

// Class tokens that carry meaning: `Btn_danger__3x9` and `btn btn-danger` share btn, danger;
// hash-like tokens (letters mixed with digits, pure digits) are dropped.
function classTokens(c: string): string[] {
  let toks = classCache.get(c);
  if (toks) return toks;
  toks = c.length > 60 ? [] : identifierTokens(c).filter((t) => t.length > 1 && !/\d/.test(t) && !HASHY.test(t));
  if (classCache.size >= MAX_CACHE) classCache.clear();
  classCache.set(c, toks);
  return toks;
}

function cleanClasses(list: readonly string[] | null | undefined): string[] {
  if (!list || !list.length) return [];
  if (list.length === 1) return withoutRoleWords(classTokens(list[0] || ''));
  const out = new Set<string>();
  for (const c of list) if (c) for (const t of classTokens(c)) out.add(t);
  return withoutRoleWords([...out]);
}

// Words in names that say what kind of thing an element is (`search-button`, `menu-icon`), not
// which one: the kind signal weighs them; identity comparisons leave them out.
const ROLE_WORDS = new Set(['button', 'btn', 'icon', 'link', 'toggle', 'trigger']);

function withoutRoleWords(toks: string[]): string[] {
  let n = 0;
  for (const t of toks) if (ROLE_WORDS.has(t)) n++;
  if (!n || n === toks.length) return toks;
  return toks.filter((t) => !ROLE_WORDS.has(t));
}

// Consonant runs no word has: tokens of generated class names such as `kxzqw`.
const HASHY = /[bcdfghjklmnpqrstvwxz]{5,}/;

/** Tag names of the last `max` steps of an xpath, outermost first. */
function xpathSteps(xpath: string | null | undefined, max = 8): string[] {
  if (!xpath) return [];
  const out: string[] = [];
  let end = xpath.length;
  while (end > 0 && out.length < max) {
    const start = xpath.lastIndexOf('/', end - 1);
    const step = xpath.slice(start + 1, end);
    end = start < 0 ? 0 : start;
    if (!step) continue;
    if (step.charCodeAt(0) === 42 /* '*' */) {
      // *[local-name() = 'svg'][1]
      const q = step.indexOf("'");
      const e = q >= 0 ? step.indexOf("'", q + 1) : -1;
      if (e > q) out.push(step.slice(q + 1, e));
      continue;
    }
    const b = step.indexOf('[');
    out.push(b >= 0 ? step.slice(0, b) : step);
  }
  return out.reverse();
}

const LANDMARK_IN_XPATH = /\/(header|footer|nav|main|aside|form|dialog|table)(?=[[/]|$)/g;

/** Landmark elements among an xpath's steps (header, nav, footer, …). */
function xpathLandmarks(xpath: string): string[] {
  if (!xpath) return [];
  const out: string[] = [];
  for (const m of xpath.matchAll(LANDMARK_IN_XPATH)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

// Old markup makes controls of divs and spans and says so only in its names (`search-button`,
// `js-navigation-hamburger`); newer markup uses <button>. A generic element so named is a control.
const GENERIC_KIND = new Set(['block', 'text', 'other']);
const CONTROL_WORDS = new Set(['button', 'btn', 'toggle', 'hamburger', 'trigger']);
const CONTROL_PARENT = new Set(['a', 'button']);

// Cheap test first: most names contain none of the words at all.
const CONTROL_WORD_IN = /btn|button|toggle|hamburger|trigger/i;

function namedClickable(m: Partial<ElementMeta>, attrs: Record<string, string>): boolean {
  const id = m.id || attrs.id;
  if (id && CONTROL_WORD_IN.test(id) && namesControl(identifierTokens(id))) return true;
  if (m.classes) for (const c of m.classes) if (c && CONTROL_WORD_IN.test(c) && namesControl(classTokens(c))) return true;
  return false;
}

// `btn-group`, `button-container`, `toggle-bar`: the element holds controls, it is not one.
const HOLDER_WORDS = new Set(['group', 'groups', 'container', 'wrapper', 'wrap', 'bar', 'toolbar', 'list', 'row', 'area', 'holder', 'panel', 'set', 'box', 'section']);

function namesControl(toks: string[]): boolean {
  let control = false;
  for (const t of toks) {
    if (HOLDER_WORDS.has(t)) return false;
    if (CONTROL_WORDS.has(t)) control = true;
  }
  return control;
}

/** What the scorer needs from a StepTarget; the costly parts are computed on first use. */
class Prepared {
  readonly tag: string;
  readonly role: string;
  readonly type: string;
  readonly kind: string;
  readonly inControl: boolean;
  readonly id: string;
  readonly name: string;
  private readonly m: Partial<ElementMeta>;
  private readonly s: Partial<StepTarget['selectors']>;
  private readonly attrs: Record<string, string>;
  // Everything below is computed on first use: most candidates of a large set never need it.
  private _idStable?: boolean;
  private _testIds?: string[];
  private _box?: { cx: number; cy: number; w: number; h: number; has: boolean };
  private _xpath?: string;
  private _main?: Text | null;
  private _label?: Text | null;
  private _idToks?: string[];
  private _nameToks?: string[];
  private _href?: Href | null;
  private _alt?: Text | null;
  private _placeholder?: Text | null;
  private _classes?: Set<string>;
  private _nearby?: Text | null;
  private _xpathTags?: string[];
  private _xpathRaw?: string[];
  private _landmarks?: string[];

  constructor(target: StepTarget) {
    const m: Partial<ElementMeta> = target.element_meta || ({} as ElementMeta);
    const s = target.selectors || ({} as StepTarget['selectors']);
    const attrs: Record<string, string> = (s && s.stable_attrs) || NO_ATTRS;
    this.m = m;
    this.s = s;
    this.attrs = attrs;
    this.tag = m.tag_name ? m.tag_name.toLowerCase() : '';
    this.role = m.role ? m.role.toLowerCase() : '';
    const type = m.type || attrs.type;
    this.type = type ? type.toLowerCase() : '';
    const kind = categoryOf(this.tag, this.role, this.type);
    this.kind = GENERIC_KIND.has(kind) && namedClickable(m, attrs) ? 'clickable' : kind;
    // The click landed on a control's content (the label span, the icon): it stands for the control.
    this.inControl = this.kind !== 'clickable' && this.kind !== 'field' && CONTROL_PARENT.has((m.parent_tag || '').toLowerCase());
    this.id = m.id || attrs.id || '';
    this.name = m.name || attrs.name || '';
  }

  get idStable(): boolean {
    return (this._idStable ??= !!this.id && !looksGenerated(this.id));
  }
  /** `menuLinks2`, `tab3`: an enumeration index, which moves when items are added or reordered. */
  get idPositional(): boolean {
    return !!this.id && DIGIT_END.test(this.id);
  }
  get testIds(): string[] {
    if (this._testIds) return this._testIds;
    let out: string[] = NO_IDS;
    const add = (v: unknown) => {
      if (typeof v !== 'string' || !v) return;
      if (out === NO_IDS) out = [];
      if (!out.includes(v)) out.push(v);
    };
    if (this.s.data_testid) add(this.s.data_testid);
    if (this.m.test_ids) for (const v of Object.values(this.m.test_ids)) add(v);
    for (const k of TEST_ID_KEYS) if (this.attrs[k]) add(this.attrs[k]);
    return (this._testIds = out);
  }
  private get box() {
    if (!this._box) {
      const b = this.m.bounding_box;
      this._box = b
        ? { cx: b.x + b.width / 2, cy: b.y + b.height / 2, w: Math.max(0, b.width), h: Math.max(0, b.height), has: b.width > 0 || b.height > 0 || b.x !== 0 || b.y !== 0 }
        : { cx: 0, cy: 0, w: 0, h: 0, has: false };
    }
    return this._box;
  }
  get cx(): number {
    return this.box.cx;
  }
  get cy(): number {
    return this.box.cy;
  }
  get w(): number {
    return this.box.w;
  }
  get h(): number {
    return this.box.h;
  }
  get hasBox(): boolean {
    return this.box.has;
  }
  get parentTag(): string {
    return this.m.parent_tag ? this.m.parent_tag.toLowerCase() : '';
  }
  private get rawXpath(): string {
    return (this.s && (this.s.xpath_alt || this.s.xpath)) || '';
  }

  get xpath(): string {
    return (this._xpath ??= this.rawXpath.toLowerCase());
  }
  get main(): Text | null {
    if (this._main === undefined) this._main = text(this.m.inner_text || this.m.accessible_name);
    return this._main;
  }
  get label(): Text | null {
    if (this._label === undefined) {
      const m = this.m;
      let joined = '';
      const push = (v: string | null | undefined) => {
        if (v && !joined.includes(v)) joined = joined ? `${joined} ${v}` : v;
      };
      push(m.label_text);
      if (m.accessible_name && m.accessible_name !== m.inner_text) push(m.accessible_name);
      push(m.aria_label || this.attrs.aria_label || this.attrs['aria-label']);
      push(m.title || this.attrs.title);
      this._label = joined ? text(joined) : null;
    }
    return this._label;
  }
  get idToks(): string[] {
    return (this._idToks ??= withoutRoleWords(identifierTokens(this.id)));
  }
  get nameToks(): string[] {
    return (this._nameToks ??= withoutRoleWords(identifierTokens(this.name)));
  }
  /** Whether `w` is one of the words of its id, name or classes. */
  hasIdWord(w: string): boolean {
    return this.idToks.includes(w) || this.nameToks.includes(w) || this.classes.has(w);
  }
  /** Whether it has any id, name or class words at all. */
  get hasIdWords(): boolean {
    return !!(this.id || this.name || this.classes.size);
  }
  get href(): Href | null {
    if (this._href === undefined) this._href = parseHref(this.m.href || this.attrs.href);
    return this._href;
  }
  get alt(): Text | null {
    if (this._alt === undefined) this._alt = text(this.m.alt || this.attrs.alt);
    return this._alt;
  }
  get placeholder(): Text | null {
    if (this._placeholder === undefined) this._placeholder = text(this.m.placeholder || this.attrs.placeholder);
    return this._placeholder;
  }
  get classes(): Set<string> {
    return (this._classes ??= new Set(cleanClasses(this.m.classes)));
  }
  get nearby(): Text | null {
    if (this._nearby === undefined) this._nearby = text(this.m.nearby_text);
    return this._nearby;
  }
  /** Last steps with their positions (`li[4]`), for the weak "same place" evidence. */
  get xpathRaw(): string[] {
    if (!this._xpathRaw) {
      const parts = this.xpath.split('/');
      this._xpathRaw = parts.slice(Math.max(0, parts.length - 8)).filter(Boolean);
    }
    return this._xpathRaw;
  }
  get xpathTags(): string[] {
    return (this._xpathTags ??= xpathSteps(this.xpath));
  }
  get landmarks(): string[] {
    return (this._landmarks ??=
      this.m.context && this.m.context.length
        ? this.m.context.map((c) => c.split(' ')[0].toLowerCase())
        : xpathLandmarks(this.xpath));
  }
}

const NO_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_IDS: string[] = [];
const DIGIT_END = /\d$/;

const TEST_ID_KEYS = ['data_testid', 'data_test_id', 'data_test', 'data_qa', 'data_cy', 'data-testid', 'data-test', 'data-qa', 'data-cy'];

// One entry per candidate list: ranking many originals against the same candidates (as a
// walkthrough re-checking a page, or the benchmark) prepares them once.
const listCache = new WeakMap<readonly StepTarget[], Prepared[]>();

function preparedList(candidates: readonly StepTarget[]): Prepared[] {
  let list = listCache.get(candidates);
  if (list && list.length === candidates.length) return list;
  list = new Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) list[i] = new Prepared(candidates[i]);
  listCache.set(candidates, list);
  return list;
}

function prepare(target: StepTarget): Prepared {
  let p = cache.get(target);
  if (!p) {
    p = new Prepared(target);
    cache.set(target, p);
  }
  return p;
}


function idSimilarity(a: string, aToks: string[], b: string, bToks: string[]): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  if (a.toLowerCase() === b.toLowerCase()) return 0.95;
  return tokenDice(aToks, bToks) * 0.8;
}

function pathTokens(h: Href): string[] {
  return (h.pathToks ??= identifierTokens(h.path));
}

const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'gov', 'ac', 'edu']);

/** The registrable part of the host: `wwwapps.ups.com` → `ups.com`, `www.bbc.co.uk` → `bbc.co.uk`. */
function siteOf(h: Href): string {
  if (h.site !== null) return h.site;
  const labels = h.host.replace(/:\d+$/, '').split('.');
  const n = labels.length;
  const keep = n > 2 && labels[n - 1].length === 2 && SECOND_LEVEL.has(labels[n - 2]) ? 3 : 2;
  return (h.site = labels.slice(Math.max(0, n - keep)).join('.'));
}

function hrefSimilarity(a: Href, b: Href): number {
  if (a.raw === b.raw) return 1;
  if (a.host && b.host && a.host !== b.host) {
    // Another site's path is another destination, however alike (facebook.com/ups, twitter.com/ups).
    if (siteOf(a) !== siteOf(b)) return 0;
    return a.path && a.path === b.path ? 0.6 : tokenDice(pathTokens(a), pathTokens(b)) * 0.4;
  }
  if (a.path === b.path) return a.frag === b.frag ? 0.92 : 0.8;
  return tokenDice(pathTokens(a), pathTokens(b)) * 0.7;
}

/** Similarity of the last steps of two xpaths (tag names only): structure near the element. */
function xpathTailSimilarity(a: string[], b: string[]): number {
  if (!a.length || !b.length) return 0;
  const n = Math.min(6, a.length, b.length);
  let same = 0;
  let weight = 0;
  for (let i = 1; i <= n; i++) {
    const w = 1 / i;
    weight += w;
    if (a[a.length - i] === b[b.length - i]) same += w;
  }
  return same / weight;
}

/** Neighbour words: overlap, or the share of the original's words still around the candidate. */
function nearbySimilarity(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return Math.max((2 * shared) / (a.size + b.size), (shared / a.size) * 0.8);
}

function setOverlap(a: string[], b: string[]): number {
  if (!a.length && !b.length) return 1;
  return tokenDice(a, b);
}

// An icon-only control named in its identifiers (`id="search-icon"` for the old "Search" button):
// weaker evidence than the text itself.
const ID_WORDS_AS_TEXT = 0.7;

/**
 * Share of a short text's words found among the identifier words of a control (or of the icon in
 * it). Fields are left out: their ids and names are compared as such already.
 */
function namedBy(t: Text, c: Prepared): number {
  if (t.toks.length > 3 || (c.kind !== 'clickable' && !c.inControl)) return 0;
  if (!c.hasIdWords) return 0;
  let found = 0;
  for (const w of t.set) if (c.hasIdWord(w)) found++;
  return found / t.set.size;
}

// Weights: how much each signal says about identity across versions.
const W = {
  testId: 3,
  kind: 1.5,
  tag: 0.6,
  text: 2.5,
  label: 1.2,
  id: 1.5,
  name: 1.5,
  href: 1.2,
  alt: 0.8,
  placeholder: 1,
  type: 0.5,
  classes: 0.6,
  nearby: 0.8,
  position: 0.6,
  size: 0.4,
  xpath: 0.5,
  landmarks: 0.5,
  parent: 0.25,
};

/** One signal's part in a score: `[signal, weight, similarity]`, rounded to two places. */
type Signal = [string, number, number];

/**
 * The evidence of one comparison: the weighted mean of signal similarities (0..1), and, when asked
 * for, the signals behind it. Each call owns its own, so scoring is reentrant and keeps no state
 * between calls.
 */
class Evidence {
  sum = 0;
  weight = 0;

  constructor(private readonly trace: Signal[] | null = null) {}

  /** Starts over from a partial sum and weight (a fresh comparison by default). */
  reset(sum = 0, weight = 0): this {
    this.sum = sum;
    this.weight = weight;
    return this;
  }

  add(signal: string, w: number, s: number): void {
    this.sum += w * s;
    this.weight += w;
    if (this.trace) this.trace.push([signal, Math.round(w * 100) / 100, Math.round(s * 100) / 100]);
  }

  /** The weighted mean, 0 when no signal applied. */
  mean(): number {
    return this.weight ? this.sum / this.weight : 0;
  }
}

function similarity(c: Prepared, o: Prepared, e: Evidence = new Evidence()): number {
  identitySignals(c, o, e);
  contextSignals(c, o, e);
  return e.mean();
}

/** What the element is: kind, text, names, identifiers. Most of the evidence, and cheap. */
function identitySignals(c: Prepared, o: Prepared, e: Evidence): void {
  if (o.testIds.length) {
    const hit = c.testIds.some((t) => o.testIds.includes(t));
    if (hit) e.add('testId', W.testId, 1);
    else if (c.testIds.length) e.add('testId', W.testId, 0);
    else e.add('testId', W.testId * 0.3, 0);
  }

  if (o.tag) {
    const textVsClick = (o.kind === 'text' || c.kind === 'text') && (o.kind === 'clickable' || c.kind === 'clickable');
    const sameThing = c.kind === o.kind || (o.inControl && c.kind === 'clickable') || (c.inControl && o.kind === 'clickable');
    e.add('kind', W.kind, sameThing ? 1 : textVsClick ? 0.4 : 0);
    e.add('tag', W.tag, c.tag === o.tag ? (o.role && c.role && o.role !== c.role ? 0.6 : 1) : 0);
  }

  if (o.main) {
    e.add('text', W.text, c.main ? textPair(o.main, c.main) : Math.max(textPair(o.main, c.label), textPair(o.main, c.alt) * 0.9, namedBy(o.main, c) * ID_WORDS_AS_TEXT) * 0.9);
  } else if (c.main) {
    // The original had no visible text; a candidate full of text is a different kind of element.
    e.add('text', W.text * 0.4, c.main.toks.length > 3 ? 0 : 0.5);
  }
  if (o.label) e.add('label', W.label, Math.max(textPair(o.label, c.label), textPair(o.label, c.main) * 0.9));

  if (o.id) {
    const w = o.idStable && !o.idPositional ? W.id : W.id * 0.4;
    if (c.id) e.add('id', w, idSimilarity(o.id, o.idToks, c.id, c.idToks));
    else e.add('id', w * 0.35, 0);
  }
  if (o.name) {
    if (c.name) e.add('name', W.name, idSimilarity(o.name, o.nameToks, c.name, c.nameToks));
    else e.add('name', W.name * 0.5, 0);
  }
  // Every script-driven control on a page carries the same placeholder href: it tells none apart,
  // and on a candidate it is as good as none.
  if (o.href && !o.href.nowhere) {
    if (c.href && !c.href.nowhere) e.add('href', W.href, hrefSimilarity(o.href, c.href));
    else e.add('href', W.href * 0.5, 0);
  }
  if (o.alt) e.add('alt', W.alt, c.alt ? textPair(o.alt, c.alt) : textPair(o.alt, c.main) * 0.8);
  if (o.placeholder) e.add('placeholder', W.placeholder, textPair(o.placeholder, c.placeholder || c.label));
  if (o.type && c.type) e.add('type', W.type, o.type === c.type ? 1 : 0);

}

/** Where and how it is drawn: classes, neighbours, position, size, structure (volatile). */
function contextSignals(c: Prepared, o: Prepared, e: Evidence): void {
  if (o.classes.size) e.add('classes', W.classes, c.classes.size ? setDice(o.classes, c.classes) : 0);
  if (o.nearby) {
    e.add('nearby', W.nearby, c.nearby ? nearbySimilarity(o.nearby.set, c.nearby.set) : 0.1);
  }

  if (o.hasBox && c.hasBox) {
    const dx = (o.cx - c.cx) / 1600;
    const dy = (o.cy - c.cy) / 1200;
    e.add('position', W.position, Math.max(0, 1 - Math.hypot(dx, dy) * 2));
    const ra = Math.min(o.w, c.w) / Math.max(o.w, c.w, 1);
    const rb = Math.min(o.h, c.h) / Math.max(o.h, c.h, 1);
    e.add('size', W.size, Math.sqrt(ra * rb));
  }
  if (o.xpathTags.length && c.xpathTags.length) {
    // Structure near the element (tags), and, more weakly, the same positions (li[4] vs li[3]).
    const tags = xpathTailSimilarity(o.xpathTags, c.xpathTags);
    e.add('xpath', W.xpath, tags > 0 ? 0.7 * tags + 0.3 * xpathTailSimilarity(o.xpathRaw, c.xpathRaw) : 0);
  }
  // Landmarks the original was inside (header, nav, footer, dialog, …). When it was in none,
  // that says little: older markup has no landmark elements at all.
  if (o.landmarks.length && (c.xpathTags.length || c.landmarks.length)) {
    e.add('landmarks', W.landmarks, setOverlap(o.landmarks, c.landmarks));
  }
  if (o.parentTag && c.parentTag) e.add('parent', W.parent, o.parentTag === c.parentTag ? 1 : 0);

}

/** Maps the weighted mean to the 0..100 scale the clear-winner rule is written for. */
function toScore(sim: number): number {
  return Math.round(Math.max(0, Math.min(1, sim)) * 1000) / 10;
}

/** Per-signal `[signal, weight, similarity]` behind `scoreCandidate` (for debugging and review). */
export function explainScore(candidate: StepTarget, original: StepTarget): { score: number; signals: Signal[] } {
  const signals: Signal[] = [];
  const sim = similarity(prepare(candidate), prepare(original), new Evidence(signals));
  return { score: toScore(sim), signals };
}

/** Similarity of `candidate` to `original`, 0..100. Pure: no DOM, no state. */
export function scoreCandidate(candidate: StepTarget, original: StepTarget): number {
  return toScore(similarity(prepare(candidate), prepare(original)));
}

// A recorded identifier that exactly one candidate still carries is strong evidence: the share
// of the remaining distance to a perfect match that it closes.
const UNIQUE_BOOST = { testId: 0.5, id: 0.35, name: 0.35 };

function uniqueIdentifierBoost(o: Prepared, prepared: Prepared[], sims: number[]): void {
  const apply = (match: (c: Prepared) => boolean, boost: number) => {
    let hit = -1;
    for (let i = 0; i < prepared.length; i++) {
      if (!match(prepared[i])) continue;
      if (hit >= 0) return; // carried by several: no extra evidence
      hit = i;
    }
    if (hit >= 0) sims[hit] += (1 - sims[hit]) * boost;
  };
  if (o.testIds.length) apply((c) => c.testIds.some((t) => o.testIds.includes(t)), UNIQUE_BOOST.testId);
  if (o.idStable && !o.idPositional) apply((c) => c.id === o.id, UNIQUE_BOOST.id);
  if (o.name) apply((c) => c.name === o.name && c.kind === o.kind, UNIQUE_BOOST.name);

}

/** Weighted mean of the context signals alone (null when none applies). */
function contextSimilarity(c: Prepared, o: Prepared): number | null {
  const e = new Evidence();
  contextSignals(c, o, e);
  return e.weight ? e.mean() : null;
}

// A copy must sit clearly elsewhere (its context this much less like the original's) to stop
// counting as a rival; it then keeps this share of its score, as a wrapper does.
const COPY_CONTEXT_GAP = 0.2;
const COPY_FACTOR = 0.7;
// Only copies this close to the best can be rivals at all.
const COPY_NEAR = 0.3;

/**
 * The same control drawn twice (header and footer menus, desktop and mobile copies) has one
 * identity: text, href, names, kind. Identity cannot tell the copies apart, only where each sits.
 * When the best candidate's copies sit clearly elsewhere than the recorded element did, they are
 * not rivals (and acting on one would do the same thing anyway).
 */
function demoteCopies(o: Prepared, prepared: Prepared[], sims: number[]): void {
  let best = -1;
  for (let i = 0; i < sims.length; i++) if (best < 0 || sims[i] > sims[best]) best = i;
  // A weak best cannot become a clear winner: its copies need no look.
  if (best < 0 || sims[best] < SOLE_MIN) return;
  const b = prepared[best];
  if (!named(b)) return;
  let bestContext: number | null | undefined;
  for (let i = 0; i < sims.length; i++) {
    if (i === best || sims[i] < sims[best] - COPY_NEAR || !sameIdentity(prepared[i], b)) continue;
    bestContext ??= contextSimilarity(b, o);
    const ctx = contextSimilarity(prepared[i], o);
    if (bestContext === null || ctx === null || bestContext - ctx < COPY_CONTEXT_GAP) continue;
    sims[i] *= COPY_FACTOR;
  }
}

// Look-alikes whose neighbours differ by less than this are not told apart.
const LOOKALIKE_MIN_GAP = 0.05;
// A look-alike loses this share of its neighbour-similarity deficit (0.15 less alike → 7.5 points).
const LOOKALIKE_PENALTY = 0.5;

/**
 * Look-alikes — one row's "Edit" and the next row's — have one identity: text, kind, names.
 * Only their surroundings (the row they sit in) say which is which, and position says nothing
 * once rows re-sort. Within such a group the one whose neighbours are most like the recorded
 * element's takes the group's best score, the others fall behind by how much less alike theirs are.
 */
function rankLookalikes(o: Prepared, prepared: Prepared[], sims: number[]): void {
  if (!o.nearby) return;
  let best = -1;
  for (let i = 0; i < sims.length; i++) if (best < 0 || sims[i] > sims[best]) best = i;
  if (best < 0 || !named(prepared[best])) return;
  const group: number[] = [];
  for (let i = 0; i < sims.length; i++) if (sims[i] >= sims[best] - COPY_NEAR && (i === best || sameIdentity(prepared[i], prepared[best]))) group.push(i);
  if (group.length < 2) return;
  const near = group.map((i) => (prepared[i].nearby ? nearbySimilarity(o.nearby!.set, prepared[i].nearby!.set) : 0));
  let top = 0;
  for (let k = 1; k < group.length; k++) if (near[k] > near[top]) top = k;
  const second = Math.max(...near.filter((_, k) => k !== top));
  if (near[top] - second < LOOKALIKE_MIN_GAP) return;
  const groupMax = Math.max(...group.map((i) => sims[i]));
  group.forEach((i, k) => {
    sims[i] = k === top ? groupMax : Math.min(sims[i], groupMax - (near[top] - near[k]) * LOOKALIKE_PENALTY);
  });
}

/** Whether anything names the element (text, label, link, ids): an unnamed one has no copies. */
function named(p: Prepared): boolean {
  return !!(p.main || p.label || (p.href && !p.href.nowhere) || p.id || p.name || p.alt || p.testIds.length);
}

/** Everything identity signals look at is the same. */
function sameIdentity(a: Prepared, b: Prepared): boolean {
  return (
    a.kind === b.kind && a.tag === b.tag && a.role === b.role && a.type === b.type && a.inControl === b.inControl &&
    a.main?.norm === b.main?.norm && a.label?.norm === b.label?.norm && a.href?.raw === b.href?.raw &&
    a.id === b.id && a.name === b.name && a.alt?.norm === b.alt?.norm && a.placeholder?.norm === b.placeholder?.norm &&
    a.testIds.join(' ') === b.testIds.join(' ')
  );
}

// Thresholds of the sole-candidate boost: already a good match (≥ 0.70) and ahead of every
// rival by the clear-winner margin (0.20); it then closes 45 % of the distance to 1.
const SOLE_MIN = 0.7;
const SOLE_GAP = 0.2;
const SOLE_BOOST = 0.45;

/**
 * A good match with no rival: when the best candidate is already similar and every other one
 * is far behind, the set as a whole says more than the pairwise score.
 */
function soleCandidateBoost(sims: number[]): void {
  let best = -1;
  let second = 0;
  for (let i = 0; i < sims.length; i++) {
    if (best < 0 || sims[i] > sims[best]) {
      if (best >= 0) second = Math.max(second, sims[best]);
      best = i;
    } else second = Math.max(second, sims[i]);
  }
  if (best < 0 || sims[best] < SOLE_MIN || sims[best] - second < SOLE_GAP) return;
  sims[best] += (1 - sims[best]) * SOLE_BOOST;
}

/**
 * All candidates scored, best first (ties keep page order). Unlike `scoreCandidate` it sees the
 * whole candidate set, so an identifier that only one candidate still carries counts extra.
 */
export function rankCandidates(original: StepTarget, candidates: readonly StepTarget[]): RankedCandidate[] {
  const o = prepare(original);
  const n = candidates.length;
  const prepared = preparedList(candidates);
  const sims: number[] = new Array(n);
  const e = new Evidence();
  if (n <= REFINE_ALL_UP_TO) {
    for (let i = 0; i < n; i++) sims[i] = similarity(prepared[i], o, e.reset());
  } else {
    // Large sets: identity signals for all, the volatile context signals only for the leaders.
    // Others keep a lower bound (context counted as a full mismatch), so they cannot overtake
    // a candidate on evidence they were not scored on.
    const sums = new Float64Array(n);
    const weights = new Float64Array(n);
    const coarse = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      identitySignals(prepared[i], o, e.reset());
      sums[i] = e.sum;
      weights[i] = e.weight;
      coarse[i] = e.mean();
    }
    const order = topIndices(coarse, REFINE_TOP);
    const refined = new Uint8Array(n);
    for (const i of order) {
      contextSignals(prepared[i], o, e.reset(sums[i], weights[i]));
      sims[i] = e.mean();
      refined[i] = 1;
    }
    const contextMax = contextWeight(o);
    for (let i = 0; i < n; i++) if (!refined[i]) sims[i] = sums[i] / (weights[i] + contextMax || 1);
  }
  uniqueIdentifierBoost(o, prepared, sims);
  rankLookalikes(o, prepared, sims);
  demoteCopies(o, prepared, sims);
  collapseWrappers(sims, prepared);
  soleCandidateBoost(sims);
  return sortByScore(sims);
}

const REFINE_ALL_UP_TO = 600;
const REFINE_TOP = 300;

/** The most weight context signals can add for this original. */
function contextWeight(o: Prepared): number {
  let w = 0;
  if (o.classes.size) w += W.classes;
  if (o.nearby) w += W.nearby;
  if (o.hasBox) w += W.position + W.size;
  if (o.xpathTags.length) w += W.xpath;
  if (o.landmarks.length) w += W.landmarks;
  if (o.parentTag) w += W.parent;
  return w;
}

/** Indices of the `k` largest values (unordered). */
function topIndices(values: Float64Array, k: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const threshold = sorted[Math.max(0, values.length - k)];
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] > threshold) out.push(i);
  for (let i = 0; i < values.length && out.length < k; i++) if (values[i] === threshold) out.push(i);
  return out;
}

/** Best first, ties in page order: one numeric key per candidate, sorted natively. */
function sortByScore(sims: number[]): RankedCandidate[] {
  const n = sims.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (1000 - Math.round(toScore(sims[i]) * 10)) * 4_194_304 + i;
  keys.sort();
  const out: RankedCandidate[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = keys[k] % 4_194_304;
    out[k] = { index: i, score: toScore(sims[i]) };
  }
  return out;
}

function isParentOrChild(a: string, b: string): boolean {
  if (!a || !b || a === b) return false;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short + '/') && long.indexOf('/', short.length + 1) < 0;
}

/**
 * A wrapper and the element it wraps (li > a, button > span with the same text) are one thing
 * on screen. Among the leading candidates, the lower-ranked of such a pair is demoted, so it
 * neither hides a clear winner nor counts as a rival to it (nor keeps it from being the only
 * good match).
 */
function collapseWrappers(sims: number[], prepared: Prepared[]): void {
  const lead = leaders(sims, 10);
  for (let j = 1; j < lead.length; j++) {
    const cj = prepared[lead[j]];
    if (!cj.xpath) continue;
    for (let i = 0; i < j; i++) {
      const ci = prepared[lead[i]];
      if (!isParentOrChild(ci.xpath, cj.xpath)) continue;
      const sameText = (ci.main?.norm ?? '') === (cj.main?.norm ?? '') || !ci.main || !cj.main;
      if (!sameText) continue;
      sims[lead[j]] *= WRAPPER_FACTOR;
      break;
    }
  }
}

/** Indices of the `k` best, best first (ties in page order). */
function leaders(sims: number[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < sims.length; i++) {
    const v = sims[i];
    if (out.length === k && v <= sims[out[k - 1]]) continue;
    let at = out.length < k ? out.push(i) - 1 : k - 1;
    out[at] = i;
    while (at > 0 && sims[out[at - 1]] < v) {
      out[at] = out[at - 1];
      out[--at] = i;
    }
  }
  return out;
}

const WRAPPER_FACTOR = 0.7;

/** The brief's clear-winner rule: best ≥ 80 and ahead of the second by ≥ 20. */
export function isClearWinner(ranked: readonly RankedCandidate[]): boolean {
  if (!ranked.length) return false;
  const best = ranked[0].score;
  const second = ranked.length > 1 ? ranked[1].score : 0;
  return best >= ACCEPT_MIN_SCORE && best - second >= ACCEPT_MIN_MARGIN;
}
