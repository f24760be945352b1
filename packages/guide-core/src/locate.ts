/**
 * locate: find a recorded element again. Stored selectors first (each must match exactly one
 * visible, enabled element consistent with the recorded tag and role), waiting for late
 * rendering; then healing by similarity with the brief's clear-winner rule. When no candidate
 * wins clearly it returns no element and the ranked candidates, so the caller can ask the
 * server (AI) — it never guesses.
 */
import type { RankedCandidate, StepTarget } from './types.js';
import { describeElement } from './describe.js';
import { allElements, isEnabled, isVisible } from './dom-util.js';
import { categoryOf, isClearWinner, MIN_CANDIDATE_SCORE, rankCandidates, scoreCandidate } from './score.js';
import { cssSelector, positionalCss, resolveSelector, resolveShadowChain, roleOf, type QueryRoot } from './selectors.js';

export interface LocateOptions {
  /** Longest wait for late rendering before healing, ms (default 5000). */
  timeoutMs?: number;
  /** Healing starts once the DOM has been quiet this long, ms (default 400). */
  quietMs?: number;
  /** Disable healing (selectors only). */
  heal?: boolean;
  /** Abort waiting. */
  signal?: AbortSignal;
}

export interface LocateCandidate {
  element: Element;
  selector: string;
  score: number;
  target: StepTarget;
}

export interface LocateResult {
  element: Element | null;
  method: 'selector' | 'healed' | null;
  selector: string | null;
  /** 0..100: 100 for a selector match, the winner's score when healed. */
  score: number;
  /** Ranked candidates (score ≥ 30, best 10); for the server when there is no clear winner. */
  candidates: LocateCandidate[];
  /** Why nothing was returned: 'not_found' (no plausible candidate) or 'ambiguous'. */
  reason?: 'not_found' | 'ambiguous';
}

/** Selectors to try, most robust first, with the kind of evidence each one is. */
function selectorList(target: StepTarget): { selector: string; positional: boolean }[] {
  const s = target.selectors || ({} as StepTarget['selectors']);
  const out: { selector: string; positional: boolean }[] = [];
  const push = (sel: string | null | undefined, positional: boolean) => {
    if (sel && !out.some((x) => x.selector === sel)) out.push({ selector: sel, positional });
  };
  if (s.data_testid) push(`[data-testid="${s.data_testid.replace(/"/g, '\\"')}"]`, false);
  push(s.primary, false);
  push(s.css, /nth-|:nth|>/.test(s.css || ''));
  push(s.aria, false);
  push(s.xpath, true);
  push(s.xpath_alt, true);
  return out;
}

/**
 * The documents a target may live in: follows its same-origin frame path. A frame whose
 * selector no longer matches exactly one frame widens to every same-origin frame at that level.
 */
function frameScopes(root: QueryRoot, target: StepTarget): QueryRoot[] {
  let scopes: QueryRoot[] = [root];
  for (const sel of target.selectors?.frame_path ?? []) {
    const next: QueryRoot[] = [];
    for (const scope of scopes) {
      let frames = resolveSelector(scope, sel).filter((f) => f.localName === 'iframe' || f.localName === 'frame');
      if (frames.length !== 1) frames = Array.from(scope.querySelectorAll('iframe,frame'));
      for (const f of frames) {
        let doc: Document | null = null;
        try {
          doc = (f as HTMLIFrameElement).contentDocument;
        } catch {
          doc = null; // cross-origin
        }
        if (doc && doc.documentElement) next.push(doc);
      }
    }
    scopes = next;
  }
  return scopes;
}

function consistent(el: Element, target: StepTarget): boolean {
  const m = target.element_meta;
  if (!m) return true;
  if (m.tag_name && el.tagName.toUpperCase() !== m.tag_name.toUpperCase()) return false;
  if (m.role && roleOf(el) !== m.role) return false;
  return isVisible(el) && isEnabled(el);
}

function trySelectors(scope: QueryRoot, target: StepTarget): { element: Element; selector: string } | null {
  const chain = target.selectors?.shadow_chain;
  if (chain && chain.length) {
    const found = resolveShadowChain(scope, chain).filter((el) => consistent(el, target));
    if (found.length === 1) return { element: found[0], selector: chain.join(' >>> ') };
  }
  for (const { selector, positional } of selectorList(target)) {
    const found = resolveSelector(scope, selector).filter((el) => consistent(el, target));
    if (found.length !== 1) continue;
    // A positional selector may now point at a neighbour: demand the element still resembles it.
    if (positional) {
      const score = scoreCandidate(describeElement(found[0], { metaOnly: true }), target);
      if (score < 60) continue;
    }
    return { element: found[0], selector };
  }
  return null;
}

const MAX_CANDIDATES = 5000;

/** Candidates of the same category as the original, visible, in document order. */
export function collectCandidates(scope: QueryRoot, target: StepTarget): Element[] {
  const m = target.element_meta || ({} as StepTarget['element_meta']);
  const tag = (m.tag_name || '').toLowerCase();
  const want = categoryOf(tag, (m.role || '').toLowerCase(), (m.type || '').toLowerCase());
  const out: Element[] = [];
  // While a modal dialog is open, the rest of the page is inert: only the dialog can be used.
  let modal: Element | null = null;
  try {
    modal = scope.querySelector('dialog:modal');
  } catch {
    modal = null;
  }
  for (const el of allElements(modal ?? scope)) {
    if (out.length >= MAX_CANDIDATES) break;
    const t = el.localName;
    if (t === 'script' || t === 'style' || t === 'head' || t === 'html' || t === 'body') continue;
    const kind = categoryOf(t, (roleOf(el) || '').toLowerCase(), (el.getAttribute('type') || '').toLowerCase());
    if (kind !== want && !(t === tag)) continue;
    if (!isVisible(el)) continue;
    out.push(el);
  }
  return out;
}

/**
 * Healing: candidates of the recorded element's category in every scope, scored and ranked;
 * the best 10 at or above the brief's floor of 30, each with a selector and its StepTarget
 * (what the server's AI step needs when there is no clear winner).
 */
export function healCandidates(scopes: QueryRoot | readonly QueryRoot[], target: StepTarget): { ranked: RankedCandidate[]; candidates: LocateCandidate[] } {
  const elements: Element[] = [];
  for (const scope of Array.isArray(scopes) ? scopes : [scopes]) elements.push(...collectCandidates(scope, target));
  const targets = elements.map((el) => describeElement(el, { metaOnly: true }));
  const ranked = rankCandidates(target, targets).filter((r) => r.score >= MIN_CANDIDATE_SCORE).slice(0, 10);
  const candidates = ranked.map((r) => ({
    element: elements[r.index],
    selector: cssSelector(elements[r.index]) || positionalCss(elements[r.index]),
    score: r.score,
    target: targets[r.index],
  }));
  return { ranked, candidates };
}

const CHECK_MS = 50;

function waitForQuietOrMatch(scope: QueryRoot, target: StepTarget, timeoutMs: number, quietMs: number, signal?: AbortSignal): Promise<{ element: Element; selector: string } | null> {
  const doc = ((scope as Document).documentElement ? scope : (scope as Node).ownerDocument) as Document;
  return new Promise((resolve) => {
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (value: { element: Element; selector: string } | null) => {
      if (done) return;
      done = true;
      observer.disconnect();
      clearTimeout(quietTimer);
      clearTimeout(hardTimer);
      resolve(value);
    };
    const armQuiet = () => {
      clearTimeout(quietTimer);
      quietTimer = setTimeout(() => finish(null), quietMs);
    };
    // Busy pages mutate constantly: re-check the selectors at most every CHECK_MS.
    let checkPending = false;
    const observer = new MutationObserver(() => {
      armQuiet();
      if (checkPending) return;
      checkPending = true;
      setTimeout(() => {
        checkPending = false;
        if (done) return;
        const hit = trySelectors(scope, target);
        if (hit) finish(hit);
      }, CHECK_MS);
    });
    observer.observe(doc, { childList: true, subtree: true, attributes: true, characterData: true });
    const hardTimer = setTimeout(() => finish(trySelectors(scope, target)), timeoutMs);
    signal?.addEventListener('abort', () => finish(null), { once: true });
    armQuiet();
  });
}

/** Find `target` under `root` (a document, shadow root or element). */
export async function locate(target: StepTarget, root: QueryRoot = document, opts: LocateOptions = {}): Promise<LocateResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const quietMs = Math.min(opts.quietMs ?? 400, timeoutMs);
  const started = Date.now();
  const notFound: LocateResult = { element: null, method: null, selector: null, score: 0, candidates: [], reason: 'not_found' };
  let scopes = frameScopes(root, target);
  // A frame may still be loading: wait for it within the same budget.
  while (!scopes.length && Date.now() - started < timeoutMs && !opts.signal?.aborted) {
    await new Promise((r) => setTimeout(r, 50));
    scopes = frameScopes(root, target);
  }
  if (!scopes.length) return notFound;

  const tryAll = () => {
    for (const scope of scopes) {
      const hit = trySelectors(scope, target);
      if (hit) return hit;
    }
    return null;
  };
  let hit = tryAll();
  if (!hit) {
    // Wait on the first scope's document (frames of one page settle together).
    hit = await waitForQuietOrMatch(scopes[0], target, timeoutMs - (Date.now() - started), quietMs, opts.signal);
    if (!hit) hit = tryAll();
  }
  if (hit) return { element: hit.element, method: 'selector', selector: hit.selector, score: 100, candidates: [] };
  if (opts.heal === false) return notFound;

  const { ranked, candidates } = healCandidates(scopes, target);
  if (!candidates.length) return notFound;
  if (isClearWinner(ranked)) {
    const best = candidates[0];
    return { element: best.element, method: 'healed', selector: best.selector, score: best.score, candidates };
  }
  return { element: null, method: null, selector: null, score: candidates[0].score, candidates, reason: 'ambiguous' };
}
