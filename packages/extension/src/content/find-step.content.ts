// Finding a step's element for the walkthrough: guide-core's locate over the step's selector
// variants (verified against the fingerprint), then — without a clear winner — the server's
// decision (AI, the decision cache for this page state), then the user (a question about the
// best candidate), then a hidden match and what opens it. Returns what to show; never guesses.
import { contradicts, cssSelector, describeElement, healCandidates, locate, positionalCss, mayUseWithoutAsking, pageStateHash, rerankWithVisual, type LocateCandidate, type LocateResult, type Opener, type ShadowAccess, type StepTarget } from '@stepwise/guide-core';
import { send, type HealVote, type StepReport } from '../shared/messages';
import type { GuideStep, HealCandidateWire } from '../shared/types';
import { planVariants, type Walker } from '../shared/variants';

const LOCATE_TIMEOUT_MS = 6000;
/** "Not this" offers the next candidate while it is at least this plausible. */
const NEXT_CANDIDATE_MIN = 50;

export type Report = Omit<StepReport, 'execution_time_ms'>;

/** What to do after the user acted on the element: tell the server it was right. */
export interface PendingVote {
  selector: string;
  score: number | null;
}

export type Found =
  | { kind: 'found'; element: Element; report: Report; confirm: PendingVote | null }
  | { kind: 'ask'; queue: LocateCandidate[]; report: Report }
  | { kind: 'hidden'; opener: Opener | null; report: Report }
  | { kind: 'not_found'; report: Report };

export interface FindContext {
  runId: string;
  index: number;
  step: GuideStep;
  me: Walker | null;
  /** Where the previous step's element is now, if it was on this page. */
  previous: { element: Element; target: StepTarget } | null;
  /** Candidates this user refused for this step during this walk. */
  refused: readonly string[];
  signal: AbortSignal;
  /** Hides our overlay for a capture of the page; returns what shows it again. */
  hideOverlay: () => () => void;
  /** Opens shadow roots, closed ones too (chrome.dom in a content script); default: open ones. */
  shadowRoot?: ShadowAccess;
  /**
   * The step is looked for with the colleague's own value (it shows a value typed earlier): the
   * server's decision and the recorded screenshot know only the recorder's, so neither is asked.
   */
  bound?: boolean;
  /**
   * The colleague's value is unknown (they skipped the step that typed it): the recorder's own
   * item is still on the page and whatever is found may be it, so the user is always asked.
   */
  valueUnknown?: boolean;
}

function wire(c: LocateCandidate): HealCandidateWire {
  return {
    selector: c.selector.slice(0, 2000),
    selectors: c.target.selectors as HealCandidateWire['selectors'],
    element_meta: c.target.element_meta as HealCandidateWire['element_meta'],
    deterministic_score: Math.max(0, Math.min(100, c.score)),
  };
}

export function targetOf(step: GuideStep): StepTarget {
  return { selectors: step.selectors as StepTarget['selectors'], element_meta: step.element_meta as StepTarget['element_meta'] };
}

/** The vote the server keeps for a candidate: its selector as key, its full description. */
export function voteFor(el: Element, selector: string, vote: 'confirm' | 'reject', how: 'asked' | 'acted', score: number | null): HealVote {
  const full = describeElement(el);
  return {
    vote,
    how,
    selector,
    selectors: { ...(full.selectors as HealCandidateWire['selectors']), primary: selector },
    element_meta: full.element_meta as HealCandidateWire['element_meta'],
    pageStateHash: pageStateHash(document),
    pageUrl: location.href,
    score,
  };
}

/** Candidates worth asking about, in order, after the first (for "Not this"). */
function askQueue(first: LocateCandidate, res: LocateResult, refused: ReadonlySet<string>): LocateCandidate[] {
  const out = [first];
  for (const c of res.candidates) {
    if (out.length >= 4) break;
    if (c.element === first.element || refused.has(c.selector) || c.score < NEXT_CANDIDATE_MIN) continue;
    out.push(c);
  }
  return out;
}

const VISUAL_CANDIDATES = 5;

function onScreen(el: Element): DOMRect | null {
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return null;
  return r;
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

/**
 * The visual signal: the leading candidates on screen compared with the recorded element's crop
 * of the recorded screenshot (our overlay hidden for the capture); their scores move by up to
 * VISUAL_WEIGHT points and the list is ranked again. Unchanged when there is no screenshot.
 */
async function visualSignal(ctx: FindContext, candidates: readonly LocateCandidate[]): Promise<(number | null)[] | null> {
  // The recorded screenshot shows the whole tab: crops line up only in the top frame.
  if (!ctx.step.screenshot_url || !candidates.length || window.top !== window) return null;
  const rects = candidates.map((c, k) => (k < VISUAL_CANDIDATES ? onScreen(c.element) : null));
  const lead = rects.map((r, k) => (r ? k : -1)).filter((k) => k >= 0);
  if (!lead.length) return null;
  const show = ctx.hideOverlay();
  let sims: (number | null)[] | null = null;
  try {
    await nextFrame();
    const asked = lead.map((k) => rects[k]!).map((r) => ({ x: r.left, y: r.top, width: r.width, height: r.height }));
    sims = await send({ type: 'walk/visual', runId: ctx.runId, index: ctx.index, rects: asked, viewportWidth: document.documentElement.clientWidth || innerWidth }).catch(() => null);
  } finally {
    show();
  }
  if (!sims) return null;
  const out: (number | null)[] = candidates.map(() => null);
  lead.forEach((k, j) => {
    out[k] = sims![j] ?? null;
  });
  return out;
}

export async function findStep(ctx: FindContext): Promise<Found> {
  const found = await locateStep(ctx);
  if (!ctx.valueUnknown || found.kind !== 'found' || ctx.signal.aborted) return found;
  // Whatever was found may be the recorder's own item: asked about, then the other plausible ones.
  const el = found.element;
  const target = targetOf(ctx.step);
  const first: LocateCandidate = { element: el, selector: found.confirm?.selector ?? cssSelector(el) ?? positionalCss(el), score: found.report.deterministic_score ?? 0, target: describeElement(el, { metaOnly: true }) };
  const { candidates } = healCandidates(document, target, { rejected: ctx.refused, shadowRoot: ctx.shadowRoot });
  const others = candidates.filter((c) => c.element !== el && c.score >= NEXT_CANDIDATE_MIN && !contradicts(c.target, target));
  return { kind: 'ask', queue: [first, ...others].slice(0, 4), report: { ...found.report, status: 'healed_deterministic', result: 'healed', deterministic_score: first.score } };
}

async function locateStep(ctx: FindContext): Promise<Found> {
  const { step, signal } = ctx;
  const stateHash = pageStateHash(document);
  const plan = planVariants(step, ctx.me, stateHash);
  const refused = new Set([...plan.rejected, ...ctx.refused]);
  const res = await locate(targetOf(step), document, {
    timeoutMs: LOCATE_TIMEOUT_MS,
    quietMs: 600,
    signal,
    variants: plan.variants,
    suggestions: plan.suggestions,
    rejected: [...refused],
    neighbour: ctx.previous,
    shadowRoot: ctx.shadowRoot,
  });
  const base: Report = {
    status: 'success',
    result: 'success',
    candidates_evaluated: res.candidates.length || null,
    deterministic_score: null,
    page_state_hash: stateHash,
    page_url: location.href,
  };
  if (signal.aborted) return { kind: 'not_found', report: base };

  if (res.element && res.method === 'selector') return { kind: 'found', element: res.element, report: base, confirm: null };
  if (res.element && res.method === 'healed') {
    // A clear winner is used at once; the user's action on it is their confirmation (for an
    // admin, enough to share it; for a colleague, one of the votes it needs).
    const report: Report = { ...base, status: 'healed_deterministic', result: 'healed', deterministic_score: res.score, healing_confidence: Math.min(1, res.score / 100) };
    return { kind: 'found', element: res.element, report, confirm: { selector: res.selector!, score: res.score } };
  }
  if (res.ask && res.askFromSuggestion) {
    // A colleague's heal that finds an element agreeing with the fingerprint: ask, no AI needed.
    return { kind: 'ask', queue: askQueue(res.ask, res, refused), report: { ...base, deterministic_score: res.ask.score } };
  }

  if (res.reason === 'ambiguous' && res.candidates.length && !ctx.bound) {
    // One more deterministic feature before anyone is asked: does it look like the recording?
    const sims = await visualSignal(ctx, res.candidates);
    if (signal.aborted) return { kind: 'not_found', report: base };
    const visual = rerankWithVisual(targetOf(step), res.candidates, sims ?? []);
    const ranked = visual.ranked;
    if (visual.winner) {
      const best = visual.winner;
      const report: Report = { ...base, status: 'healed_deterministic', result: 'healed', deterministic_score: best.score, healing_confidence: Math.min(1, best.score / 100) };
      return { kind: 'found', element: best.element, report, confirm: { selector: best.selector, score: best.score } };
    }
    res.candidates = ranked;
    res.ask = visual.ask;
    const decision = await send({ type: 'walk/heal', runId: ctx.runId, index: ctx.index, candidates: ranked.slice(0, 10).map(wire), pageStateHash: stateHash, pageUrl: location.href, wait: true }).catch(() => null);
    if (signal.aborted) return { kind: 'not_found', report: base };
    const chosen = decision?.found && decision.candidate_index !== null && decision.candidate_index !== undefined ? ranked[decision.candidate_index] : undefined;
    // Without the AI, the server only repeats our scores: a candidate that contradicts the
    // recorded element (another text, another kind) is not used on that evidence.
    const trusted = chosen && (decision?.method === 'ai_assisted' || !contradicts(chosen.target, targetOf(step)));
    if (decision && chosen && trusted && chosen.element.isConnected && !refused.has(chosen.selector)) {
      const report: Report = {
        ...base,
        status: decision.method === 'ai_assisted' ? 'healed_ai' : 'healed_deterministic',
        result: 'healed',
        healing_confidence: decision.confidence,
        deterministic_score: chosen.score,
      };
      // Without the AI the server only repeats our scores: a name that does not agree is asked about.
      const ask = decision.ask_user || (decision.method !== 'ai_assisted' && !mayUseWithoutAsking(chosen.target, targetOf(step)));
      if (ask) return { kind: 'ask', queue: askQueue(chosen, res, refused), report };
      return { kind: 'found', element: chosen.element, report, confirm: decision.scope === 'shared' ? null : { selector: chosen.selector, score: chosen.score } };
    }
  }
  if (res.ask) return { kind: 'ask', queue: askQueue(res.ask, res, refused), report: { ...base, status: 'healed_deterministic', result: 'healed', deterministic_score: res.ask.score } };
  if (res.reason === 'hidden' && res.hidden) return { kind: 'hidden', opener: res.hidden.opener, report: base };
  return {
    kind: 'not_found',
    report: {
      ...base,
      status: 'failed',
      result: 'failed',
      error_type: 'element_not_found',
      error_message: `No element matched (${res.reason ?? 'not_found'}${res.candidates.length ? `; best candidate scored ${Math.round(res.candidates[0]!.score)}` : ''}${res.disputed?.length ? `; ${res.disputed.length} selector hit(s) disagreed with the recorded element` : ''})`,
    },
  };
}
