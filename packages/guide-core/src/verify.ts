/**
 * verifyMatch: does the element a stored selector hit still look like the recorded one?
 *
 * A selector that still matches is not proof: a removed breadcrumb link's text selector can now
 * hit the sidebar link with the same text, a positional path can hit whatever took the slot.
 * Every hit is compared with the step's fingerprint (the recorded element, and the element as it
 * was when a healed variant was found); a hit that contradicts it becomes a candidate to score,
 * never a match.
 *
 * Contradictions are identity evidence only (kind of control, its text or label, being one of
 * the look-alikes recorded next to it); layout and classes change in every redesign and only
 * lower the score.
 */
import type { ElementMeta, StepTarget } from './types.js';
import { describeElement } from './describe.js';
import { categoryOf, scoreCandidate } from './score.js';
import { normalizeText, textSimilarity } from './text.js';

/** Below this score a hit is not trusted even without a contradiction. */
export const VERIFY_MIN_SCORE = 50;
/** Positional selectors (nth-child paths, xpaths) say nothing about identity: a higher bar. */
export const VERIFY_MIN_SCORE_POSITIONAL = 62;
/** Two texts this dissimilar name different things ("Open" vs "Ada Lovelace"). */
const TEXT_CONTRADICTION = 0.35;

export interface Verdict {
  ok: boolean;
  /** Similarity to the closest reference (recorded element or the variant's element), 0..100. */
  score: number;
  /** Why it was refused: 'kind' | 'text' | 'label' | 'lookalike' | 'score'. */
  reason?: string;
}

function mainText(m: Partial<ElementMeta> | null | undefined): string {
  return normalizeText(m?.inner_text || m?.accessible_name || m?.aria_label || m?.alt || m?.title || '');
}

function labelOf(m: Partial<ElementMeta> | null | undefined): string {
  return normalizeText(m?.label_text || m?.placeholder || '');
}

function kindOf(m: Partial<ElementMeta>): string {
  return categoryOf((m.tag_name || '').toLowerCase(), (m.role || '').toLowerCase(), (m.type || '').toLowerCase());
}

/** An identifier the two share exactly: a test id, a stable-looking id, a form field name. */
function sharesIdentifier(a: StepTarget, b: StepTarget): boolean {
  const am = a.element_meta;
  const bm = b.element_meta;
  const aTest = a.selectors?.data_testid || Object.values(am?.test_ids ?? {})[0];
  const bTest = b.selectors?.data_testid || Object.values(bm?.test_ids ?? {})[0];
  if (aTest && aTest === bTest) return true;
  if (am?.name && am.name === bm?.name && am.tag_name === bm?.tag_name) return true;
  return !!am?.id && am.id === bm?.id && !/\d{3,}/.test(am.id);
}

/** The innermost landmark (tag and label), normalised: "nav breadcrumb". */
function innermost(context: readonly string[] | null | undefined): string {
  return context && context.length ? normalizeText(context[0]) : '';
}

/** The closest neighbours' words: the start of the recorded nearby text (siblings first). */
function nearWords(nearby: string | null | undefined, max = 10): Set<string> {
  const out = new Set<string>();
  for (const w of normalizeText(nearby ?? '').split(' ')) {
    if (out.size >= max) break;
    if (w.length > 1) out.add(w);
  }
  return out;
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/**
 * The candidate sits where one of the recorded look-alikes sat (same name, another place), and
 * not where the recorded element sat: it is that other element. Told by the innermost landmark
 * (a labelled sidebar vs a breadcrumb), else by the closest neighbours' words.
 */
export function isRecordedLookalike(candidate: Partial<ElementMeta>, recorded: Partial<ElementMeta>): boolean {
  const others = recorded.lookalikes;
  if (!others || !others.length) return false;
  const mine = innermost(candidate.context);
  const own = innermost(recorded.context);
  const near = nearWords(candidate.nearby_text);
  const ownNear = overlap(near, nearWords(recorded.nearby_text));
  for (const other of others) {
    const theirs = innermost(other.context);
    if (mine && theirs === mine && own !== mine) return true;
    if (theirs !== own) continue;
    const theirNear = overlap(near, nearWords(other.nearby_text));
    if (theirNear >= 0.5 && theirNear > ownNear + 0.2) return true;
  }
  return false;
}

/** The contradiction between a candidate and one reference element, if any. */
function contradiction(cand: StepTarget, ref: StepTarget): string | null {
  const c = cand.element_meta;
  const r = ref.element_meta;
  if (!r || !c) return null;
  if (r.tag_name && kindOf(r) !== kindOf(c)) return 'kind';
  if (sharesIdentifier(cand, ref)) return null;
  // A field's text is its value (the option chosen, what was typed): user data, not identity.
  const field = kindOf(r) === 'field';
  const rt = field ? '' : mainText(r);
  const ct = field ? '' : mainText(c);
  if (rt && ct && textSimilarity(rt, ct) < TEXT_CONTRADICTION) return 'text';
  const rl = labelOf(r);
  const cl = labelOf(c);
  if (rl && cl && textSimilarity(rl, cl) < TEXT_CONTRADICTION && !(rt && ct && textSimilarity(rt, ct) >= 0.8)) return 'label';
  return null;
}

/**
 * Whether a candidate (as described by `describeElement`) contradicts the recorded element or
 * the element a variant was found as: another kind of control, another text or label, or one of
 * the recorded look-alikes. Such a candidate is never used without the user saying so.
 */
export function contradicts(cand: StepTarget, target: StepTarget, variantMetas: readonly (ElementMeta | null | undefined)[] = []): string | null {
  if (target.element_meta && isRecordedLookalike(cand.element_meta, target.element_meta)) return 'lookalike';
  let reason: string | null = null;
  const refs: StepTarget[] = [target, ...variantMetas.filter((m): m is ElementMeta => !!m).map((m) => ({ selectors: target.selectors, element_meta: m }))];
  for (const ref of refs) {
    const why = contradiction(cand, ref);
    if (!why) return null;
    reason ??= why;
  }
  return reason;
}

/** Below this the names of two elements do not say they are the same one ("Export PDF" / "Export CSV"). */
const NAME_AGREES = 0.6;

/**
 * Whether a healed candidate may be used without asking: nothing contradicts the recorded
 * element, and its name agrees with it (reworded, shortened or extended, not another object:
 * "Export PDF" is not "Export CSV") — or an identifier it shares (a test id, a field name) says
 * it is the same element, or neither has a name to compare.
 */
export function mayUseWithoutAsking(cand: StepTarget, target: StepTarget): boolean {
  if (contradicts(cand, target)) return false;
  if (sharesIdentifier(cand, target)) return true;
  const r = target.element_meta;
  const c = cand.element_meta;
  if (!r || !c) return true;
  const field = kindOf(r) === 'field';
  const rn = field ? labelOf(r) : mainText(r);
  const cn = field ? labelOf(c) : mainText(c);
  if (!rn || !cn) return true;
  return textSimilarity(rn, cn) >= NAME_AGREES;
}

export interface VerifyOptions {
  /** The element as it was when the selector variant being tried was found (healed variants). */
  variantMeta?: ElementMeta | null;
  /** The hit came from a positional selector. */
  positional?: boolean;
  /** A description of `el` made already (saves describing it again). */
  described?: StepTarget;
}

/** Checks one selector hit against the step's fingerprint. */
export function verifyMatch(el: Element, target: StepTarget, opts: VerifyOptions = {}): Verdict {
  const cand = opts.described ?? describeElement(el, { metaOnly: true });
  const refs: StepTarget[] = [target];
  if (opts.variantMeta) refs.push({ selectors: target.selectors, element_meta: opts.variantMeta });
  let best = -1;
  for (const ref of refs) best = Math.max(best, scoreCandidate(cand, ref));
  const reason = contradicts(cand, target, [opts.variantMeta]);
  if (reason) return { ok: false, score: best, reason };
  const min = opts.positional ? VERIFY_MIN_SCORE_POSITIONAL : VERIFY_MIN_SCORE;
  if (best < min) return { ok: false, score: best, reason: 'score' };
  return { ok: true, score: best };
}
