/** Text helpers shared by the scorer (pure, no DOM). */

const COMBINING = /[\u0300-\u036f]/g;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** Lower case, no diacritics, punctuation as spaces, collapsed whitespace. */
const NON_ASCII = /[\u0080-\uffff]/; // any UTF-16 code unit outside ASCII
const NON_WORD_ASCII = /[^a-z0-9]+/g;

export function normalizeText(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  if (!s) return '';
  // Fast path for ASCII (most UI text); full Unicode folding otherwise.
  if (!NON_ASCII.test(s)) return s.toLowerCase().replace(NON_WORD_ASCII, ' ').trim();
  return s.normalize('NFKD').replace(COMBINING, '').toLowerCase().replace(NON_WORD, ' ').trim();
}

/** Whitespace-collapsed, trimmed, truncated to `max` characters (for recorded text). */
export function squash(value: string | null | undefined, max = 200): string {
  if (!value) return '';
  const s = value.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max) : s;
}

/** Split identifiers: camelCase, snake_case, kebab-case, dots, slashes; drops digit runs. */
export function identifierTokens(value: string | null | undefined): string[] {
  if (!value) return [];
  let spaced = value.replace(/([a-z])([A-Z])/g, '$1 $2');
  if (NON_ASCII.test(spaced)) spaced = spaced.normalize('NFKD').replace(COMBINING, '');
  spaced = spaced.toLowerCase();
  const out: string[] = [];
  for (const t of spaced.split(/[^a-z0-9]+/)) {
    if (!t || /^\d+$/.test(t) || t.length > 40) continue;
    out.push(t);
  }
  return out;
}

export function tokens(normalized: string): string[] {
  return normalized ? normalized.split(' ') : [];
}

/** Sorted unique character-bigram codes of a normalised string (spaces removed). */
export function bigrams(normalized: string): Uint32Array {
  const s = normalized.indexOf(' ') >= 0 ? normalized.replace(/ /g, '') : normalized;
  if (s.length < 2) return EMPTY;
  const out = new Uint32Array(s.length - 1);
  for (let i = 0; i < s.length - 1; i++) out[i] = ((s.charCodeAt(i) & 0xffff) << 16 | (s.charCodeAt(i + 1) & 0xffff)) >>> 0;
  out.sort();
  let n = 1;
  for (let i = 1; i < out.length; i++) if (out[i] !== out[n - 1]) out[n++] = out[i];
  return out.subarray(0, n);
}

const EMPTY = new Uint32Array(0);

/** Dice coefficient of two sorted unique arrays. */
export function diceSorted(a: Uint32Array, b: Uint32Array): number {
  if (!a.length || !b.length) return 0;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return (2 * shared) / (a.length + b.length);
}

/** Dice coefficient over token sets. */
export function tokenDice(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  const sa = new Set(a);
  const sb = new Set(b);
  let shared = 0;
  for (const t of sa) if (sb.has(t)) shared++;
  return (2 * shared) / (sa.size + sb.size);
}

/** Share of `a`'s tokens found in `b` (containment). */
export function containment(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  const sb = new Set(b);
  let shared = 0;
  const sa = new Set(a);
  for (const t of sa) if (sb.has(t)) shared++;
  return shared / sa.size;
}

/** Similarity of two normalised strings in 0..1: exact, token and character-bigram evidence. */
export function textSimilarity(a: string, b: string, ga?: Uint32Array, gb?: Uint32Array): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  const ta = tokens(a);
  const tb = tokens(b);
  const tok = tokenDice(ta, tb);
  const chars = diceSorted(ga ?? bigrams(a), gb ?? bigrams(b));
  // One is a prefix/extension of the other ("Sign in" vs "Sign in to your account").
  let contain = 0;
  if (a.length >= 3 && b.length >= 3 && (b.includes(a) || a.includes(b))) {
    const ratio = Math.min(a.length, b.length) / Math.max(a.length, b.length);
    contain = 0.55 + 0.35 * ratio;
  }
  // Every word of the shorter text kept in the longer ("Export CSV" vs "Export as CSV").
  const short = ta.length <= tb.length ? ta : tb;
  const long = ta.length <= tb.length ? tb : ta;
  if (short.length && containment(short, long) === 1) {
    contain = Math.max(contain, 0.6 + 0.3 * (new Set(short).size / new Set(long).size));
  }
  if (contain > 0) contain = leadingWords(a, b, contain);
  return Math.min(0.97, Math.max(tok * 0.95, chars * 0.9, contain));
}

// A label's leading words name the control; words after them are detail that comes and goes
// ("Shipping expand Tracking" → "Shipping", "Sign in" → "Sign in to your account"). Words put in
// front make another thing ("Search" → "Advanced search", "Economy" → "Global economy").
const LEADING_BONUS = 0.1;
const TRAILING_PENALTY = 0.1;

/**
 * Containment evidence (one normalised text inside the other) adjusted by where the shorter
 * sits in the longer: more when it is the leading words, less when it comes after other words.
 * A longer form of the same word ("video" → "videos") is left as it is.
 */
export function leadingWords(a: string, b: string, contain: number): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (!long.startsWith(short)) return contain - TRAILING_PENALTY;
  return long.charCodeAt(short.length) === 32 ? Math.min(0.95, contain + LEADING_BONUS) : contain;
}
