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
import { bigrams, containment, identifierTokens, normalizeText, textSimilarity, tokenDice, tokens } from './text.js';

/** The brief's clear-winner rule. */
export const ACCEPT_MIN_SCORE = 80;
export const ACCEPT_MIN_MARGIN = 20;
/** Candidates below this are dropped by `locate` (brief: < 30). */
export const MIN_CANDIDATE_SCORE = 30;

interface Text {
  norm: string;
  grams: Uint32Array;
  toks: string[];
}

interface Href {
  raw: string;
  host: string;
  path: string;
  pathToks: string[];
  frag: string;
}

interface Prepared {
  tag: string;
  role: string;
  kind: string;
  type: string;
  main: Text | null;
  label: Text | null;
  id: string;
  idToks: string[];
  idStable: boolean;
  idPositional: boolean;
  name: string;
  nameToks: string[];
  testIds: string[];
  href: Href | null;
  alt: Text | null;
  placeholder: Text | null;
  classes: string[];
  nearby: string[];
  cx: number;
  cy: number;
  w: number;
  h: number;
  hasBox: boolean;
  xpath: string;
  xpathTags: string[];
  landmarks: string[];
  parentTag: string;
}

const cache = new WeakMap<object, Prepared>();

function text(value: string | null | undefined): Text | null {
  const norm = normalizeText(value);
  if (!norm) return null;
  return { norm, grams: bigrams(norm), toks: tokens(norm) };
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
const LANDMARKS = new Set(['header', 'footer', 'nav', 'main', 'aside', 'form', 'dialog', 'table']);

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

function parseHref(raw: string | null | undefined): Href | null {
  if (!raw) return null;
  const value = raw.trim();
  if (!value || value === '#') return { raw: value, host: '', path: '', pathToks: [], frag: '' };
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
  return { raw: value, host, path, pathToks: identifierTokens(path), frag };
}

// Class tokens that carry meaning: `Btn_danger__3x9` and `btn btn-danger` share btn, danger;
// hash-like tokens (letters mixed with digits, pure digits) are dropped.
function cleanClasses(list: readonly string[] | null | undefined): string[] {
  if (!list || !list.length) return [];
  const out = new Set<string>();
  for (const c of list) {
    if (!c || c.length > 60) continue;
    for (const t of identifierTokens(c)) {
      if (t.length > 1 && !/\d/.test(t) && !HASHY.test(t)) out.add(t);
    }
  }
  return [...out];
}

// Consonant runs no word has: tokens of generated class names such as `kxzqw`.
const HASHY = /[bcdfghjklmnpqrstvwxz]{5,}/;

function xpathSteps(xpath: string | null | undefined): string[] {
  if (!xpath) return [];
  const out: string[] = [];
  for (const step of xpath.split('/')) {
    if (!step) continue;
    const m = /^(?:\*\[local-name\(\) ?= ?'([^']+)'\]|([a-zA-Z][\w-]*))/.exec(step);
    if (m) out.push((m[1] || m[2]).toLowerCase());
  }
  return out;
}

function prepare(target: StepTarget): Prepared {
  const hit = cache.get(target);
  if (hit) return hit;
  const m: Partial<ElementMeta> = target.element_meta || ({} as ElementMeta);
  const s = target.selectors || ({} as StepTarget['selectors']);
  const attrs: Record<string, string> = (s && s.stable_attrs) || {};
  const tag = (m.tag_name || '').toLowerCase();
  const role = (m.role || '').toLowerCase();
  const type = (m.type || attrs.type || '').toLowerCase();
  const id = m.id || attrs.id || '';
  const name = m.name || attrs.name || '';
  const testIds = new Set<string>();
  if (s && s.data_testid) testIds.add(s.data_testid);
  if (m.test_ids) for (const v of Object.values(m.test_ids)) if (v) testIds.add(v);
  for (const k of ['data_testid', 'data_test_id', 'data_test', 'data_qa', 'data_cy', 'data-testid', 'data-test', 'data-qa', 'data-cy']) {
    if (attrs[k]) testIds.add(attrs[k]);
  }
  const labelParts = [
    m.label_text,
    m.accessible_name && m.accessible_name !== m.inner_text ? m.accessible_name : null,
    m.aria_label || attrs.aria_label || attrs['aria-label'],
    m.title || attrs.title,
  ].filter((x): x is string => !!x);
  const xpath = (s && (s.xpath_alt || s.xpath)) || '';
  const xs = xpathSteps(xpath);
  const box = m.bounding_box;
  const prepared: Prepared = {
    tag,
    role,
    type,
    kind: categoryOf(tag, role, type),
    main: text(m.inner_text || m.accessible_name),
    label: text([...new Set(labelParts)].join(' ')),
    id,
    idToks: identifierTokens(id),
    idStable: !!id && !looksGenerated(id),
    // `menuLinks2`, `tab3`: an enumeration index, which moves when items are added or reordered.
    idPositional: /\d$/.test(id),
    name,
    nameToks: identifierTokens(name),
    testIds: [...testIds],
    href: parseHref(m.href || attrs.href),
    alt: text(m.alt || attrs.alt),
    placeholder: text(m.placeholder || attrs.placeholder),
    classes: cleanClasses(m.classes),
    nearby: tokens(normalizeText(m.nearby_text)),
    cx: box ? box.x + box.width / 2 : 0,
    cy: box ? box.y + box.height / 2 : 0,
    w: box ? Math.max(0, box.width) : 0,
    h: box ? Math.max(0, box.height) : 0,
    hasBox: !!box && (box.width > 0 || box.height > 0 || box.x !== 0 || box.y !== 0),
    xpath: xpath.toLowerCase(),
    xpathTags: xs,
    landmarks: m.context && m.context.length
      ? m.context.map((c) => c.split(' ')[0].toLowerCase())
      : xs.filter((t) => LANDMARKS.has(t)),
    parentTag: (m.parent_tag || '').toLowerCase(),
  };
  cache.set(target, prepared);
  return prepared;
}

function textPair(a: Text | null, b: Text | null): number {
  if (!a || !b) return 0;
  return textSimilarity(a.norm, b.norm, a.grams, b.grams);
}

function idSimilarity(a: string, aToks: string[], b: string, bToks: string[]): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  if (a.toLowerCase() === b.toLowerCase()) return 0.95;
  return tokenDice(aToks, bToks) * 0.8;
}

function hrefSimilarity(a: Href, b: Href): number {
  if (a.raw === b.raw) return 1;
  if (a.host && b.host && a.host !== b.host) {
    return a.path && a.path === b.path ? 0.6 : tokenDice(a.pathToks, b.pathToks) * 0.4;
  }
  if (a.path === b.path) return a.frag === b.frag ? 0.92 : 0.8;
  return tokenDice(a.pathToks, b.pathToks) * 0.7;
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

function setOverlap(a: string[], b: string[]): number {
  if (!a.length && !b.length) return 1;
  return tokenDice(a, b);
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

/** Weighted mean of signal similarities, 0..1. */
function similarity(c: Prepared, o: Prepared, trace?: [string, number, number][]): number {
  let sum = 0;
  let weight = 0;
  const add = (signal: string, w: number, s: number) => {
    sum += w * s;
    weight += w;
    if (trace) trace.push([signal, Math.round(w * 100) / 100, Math.round(s * 100) / 100]);
  };

  if (o.testIds.length) {
    const hit = c.testIds.some((t) => o.testIds.includes(t));
    if (hit) add('testId', W.testId, 1);
    else if (c.testIds.length) add('testId', W.testId, 0);
    else add('testId', W.testId * 0.3, 0);
  }

  if (o.tag) {
    const textVsClick = (o.kind === 'text' || c.kind === 'text') && (o.kind === 'clickable' || c.kind === 'clickable');
    add('kind', W.kind, c.kind === o.kind ? 1 : textVsClick ? 0.4 : 0);
    add('tag', W.tag, c.tag === o.tag ? (o.role && c.role && o.role !== c.role ? 0.6 : 1) : 0);
  }

  if (o.main) {
    add('text', W.text, c.main ? textPair(o.main, c.main) : Math.max(textPair(o.main, c.label), textPair(o.main, c.alt) * 0.9) * 0.9);
  } else if (c.main) {
    // The original had no visible text; a candidate full of text is a different kind of element.
    add('text', W.text * 0.4, c.main.toks.length > 3 ? 0 : 0.5);
  }
  if (o.label) add('label', W.label, Math.max(textPair(o.label, c.label), textPair(o.label, c.main) * 0.9));

  if (o.id) {
    const w = o.idStable && !o.idPositional ? W.id : W.id * 0.4;
    if (c.id) add('id', w, idSimilarity(o.id, o.idToks, c.id, c.idToks));
    else add('id', w * 0.35, 0);
  }
  if (o.name) {
    if (c.name) add('name', W.name, idSimilarity(o.name, o.nameToks, c.name, c.nameToks));
    else add('name', W.name * 0.5, 0);
  }
  if (o.href) {
    if (c.href) add('href', W.href, hrefSimilarity(o.href, c.href));
    else add('href', W.href * 0.5, 0);
  }
  if (o.alt) add('alt', W.alt, c.alt ? textPair(o.alt, c.alt) : textPair(o.alt, c.main) * 0.8);
  if (o.placeholder) add('placeholder', W.placeholder, textPair(o.placeholder, c.placeholder || c.label));
  if (o.type && c.type) add('type', W.type, o.type === c.type ? 1 : 0);

  if (o.classes.length) add('classes', W.classes, c.classes.length ? tokenDice(o.classes, c.classes) : 0);
  if (o.nearby.length) {
    add('nearby', W.nearby, c.nearby.length ? Math.max(tokenDice(o.nearby, c.nearby), containment(o.nearby, c.nearby) * 0.8) : 0.1);
  }

  if (o.hasBox && c.hasBox) {
    const dx = (o.cx - c.cx) / 1600;
    const dy = (o.cy - c.cy) / 1200;
    add('position', W.position, Math.max(0, 1 - Math.hypot(dx, dy) * 2));
    const ra = Math.min(o.w, c.w) / Math.max(o.w, c.w, 1);
    const rb = Math.min(o.h, c.h) / Math.max(o.h, c.h, 1);
    add('size', W.size, Math.sqrt(ra * rb));
  }
  if (o.xpathTags.length && c.xpathTags.length) add('xpath', W.xpath, xpathTailSimilarity(o.xpathTags, c.xpathTags));
  if ((o.xpathTags.length || o.landmarks.length) && (c.xpathTags.length || c.landmarks.length)) {
    add('landmarks', W.landmarks, setOverlap(o.landmarks, c.landmarks));
  }
  if (o.parentTag && c.parentTag) add('parent', W.parent, o.parentTag === c.parentTag ? 1 : 0);

  return weight ? sum / weight : 0;
}

/** Maps the weighted mean to the 0..100 scale the clear-winner rule is written for. */
function toScore(sim: number): number {
  return Math.round(Math.max(0, Math.min(1, sim)) * 1000) / 10;
}

/** Per-signal `[signal, weight, similarity]` behind `scoreCandidate` (for debugging and review). */
export function explainScore(candidate: StepTarget, original: StepTarget): { score: number; signals: [string, number, number][] } {
  const signals: [string, number, number][] = [];
  const sim = similarity(prepare(candidate), prepare(original), signals);
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
  const prepared = candidates.map(prepare);
  const sims = prepared.map((c) => similarity(c, o));
  uniqueIdentifierBoost(o, prepared, sims);
  soleCandidateBoost(sims);
  const out: RankedCandidate[] = sims.map((sim, index) => ({ index, score: toScore(sim) }));
  out.sort((a, b) => b.score - a.score || a.index - b.index);
  collapseWrappers(out, prepared);
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
 * neither hides a clear winner nor counts as a rival to it.
 */
function collapseWrappers(out: RankedCandidate[], prepared: Prepared[]): void {
  const n = Math.min(10, out.length);
  let changed = false;
  for (let j = 1; j < n; j++) {
    const cj = prepared[out[j].index];
    if (!cj.xpath) continue;
    for (let i = 0; i < j; i++) {
      const ci = prepared[out[i].index];
      if (!isParentOrChild(ci.xpath, cj.xpath)) continue;
      const sameText = (ci.main?.norm ?? '') === (cj.main?.norm ?? '') || !ci.main || !cj.main;
      if (!sameText) continue;
      out[j].score = Math.round(out[j].score * WRAPPER_FACTOR * 10) / 10;
      changed = true;
      break;
    }
  }
  if (changed) out.sort((a, b) => b.score - a.score || a.index - b.index);
}

const WRAPPER_FACTOR = 0.7;

/** The brief's clear-winner rule: best ≥ 80 and ahead of the second by ≥ 20. */
export function isClearWinner(ranked: readonly RankedCandidate[]): boolean {
  if (!ranked.length) return false;
  const best = ranked[0].score;
  const second = ranked.length > 1 ? ranked[1].score : 0;
  return best >= ACCEPT_MIN_SCORE && best - second >= ACCEPT_MIN_MARGIN;
}
