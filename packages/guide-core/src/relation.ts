/**
 * Neighbours move together: when a redesign moves a search field into a new toolbar, its submit
 * button moves with it. The recorded distance between two consecutive steps' elements (levels up
 * to their common ancestor, from the recorded absolute xpaths) is compared with each candidate's
 * distance to where the previous step's element is now.
 */
import type { StepTarget } from './types.js';

/** Beyond this many levels the two elements only share the page: their relation says nothing. */
const MAX_INFORMATIVE_LEVELS = 5;

function steps(xpath: string | null | undefined): string[] | null {
  if (!xpath || !xpath.startsWith('/')) return null;
  return xpath.split('/').filter(Boolean);
}

/** Levels from the current step's recorded element up to the common ancestor with the previous one. */
export function recordedLevels(previous: StepTarget, current: StepTarget): number | null {
  const a = steps(previous.selectors?.xpath_alt);
  const b = steps(current.selectors?.xpath_alt);
  if (!a || !b) return null;
  if ((previous.selectors?.frame_path ?? []).join('\n') !== (current.selectors?.frame_path ?? []).join('\n')) return null;
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  // Sharing only <html> and <body> is sharing the page: no relation.
  const pageLevels = a[0]?.startsWith('html') && a[1]?.startsWith('body') ? 2 : 0;
  if (k <= pageLevels) return null;
  const up = b.length - k;
  return up >= 1 && up <= MAX_INFORMATIVE_LEVELS ? up : null;
}

/** Levels from `el` up to its lowest common ancestor with `other` (Infinity in another tree). */
export function domLevels(el: Element, other: Element): number {
  if (el.getRootNode() !== other.getRootNode()) return Infinity;
  const ancestors = new Set<Element>();
  for (let cur: Element | null = other; cur; cur = cur.parentElement) ancestors.add(cur);
  let up = 0;
  for (let cur: Element | null = el; cur; cur = cur.parentElement, up++) if (ancestors.has(cur)) return up;
  return Infinity;
}

/**
 * Scores adjusted by the relation to the previous step's element: candidates as close to it as
 * the recorded element was gain (more when they are the only such candidate), the others lose a
 * little. `scores` are 0..100, parallel to `elements` (and `plausible`, false for a candidate
 * that contradicts the recorded element); returns a new array.
 */
export function neighbourScores(elements: readonly Element[], scores: readonly number[], previous: Element, up: number, plausible?: readonly boolean[]): number[] {
  // Only a candidate that could be the element gains from being close: a button beside the
  // previous field that says something else entirely is still something else.
  const near = elements.map((el, i) => (plausible ? plausible[i] !== false : true) && domLevels(el, previous) <= up + 1);
  const nearCount = near.filter(Boolean).length;
  if (!nearCount) return scores.slice();
  const gain = nearCount === 1 ? 0.5 : nearCount <= 3 ? 0.25 : 0.1;
  return scores.map((s, i) => Math.round((near[i] ? s + (100 - s) * gain : s * 0.85) * 10) / 10);
}
