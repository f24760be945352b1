/**
 * locate: find a recorded element again.
 *
 * 1. Every selector variant the caller may use (the recorded selectors, variants added by heals
 *    and confirmed by people), in the caller's order of preference. A hit must be unique, of the
 *    recorded tag and role, usable (visible — or a checkbox shown through its label — and
 *    enabled), and must agree with the step's fingerprint (`verifyMatch`): a hit that disagrees
 *    is only a candidate. Waits for late rendering.
 * 2. Healing by similarity with the brief's clear-winner rule, among the visible elements of the
 *    recorded kind (never one of the recorded look-alikes), with the relation to the previous
 *    step's element as one more feature.
 * 3. No clear winner: the best candidate worth a question ("Is this …?") is returned as `ask`;
 *    the element itself is never guessed.
 * 4. Nothing visible: a hidden element that matches (closed menu, tab, `<details>`) is returned
 *    with the opener that reveals it.
 */
import type { ElementMeta, RankedCandidate, Selectors, StepTarget } from './types.js';
import { describeElement } from './describe.js';
import { allElements, isEnabled, isVisible, openShadowRoot, type ShadowAccess } from './dom-util.js';
import { findOpener, type Opener } from './reveal.js';
import { neighbourScores, recordedLevels } from './relation.js';
import { ACCEPT_MIN_MARGIN, ACCEPT_MIN_SCORE, categoryOf, MIN_CANDIDATE_SCORE, rankCandidates } from './score.js';
import { cssSelector, originAndPath, positionalCss, resolveSelector, resolveShadowChain, roleOf, type QueryRoot } from './selectors.js';
import { contradicts, isRecordedLookalike, mayUseWithoutAsking, verifyMatch } from './verify.js';
import { VISUAL_WEIGHT, withVisual } from './visual.js';

/** One way to find the element: the recorded selectors, or a variant added by a heal. */
export interface LocateVariant {
  selectors: Selectors;
  /** The element as it was when this variant was found (null for the recorded selectors). */
  element_meta?: ElementMeta | null;
}

export interface LocateOptions {
  /** Longest wait for late rendering before healing, ms (default 5000). */
  timeoutMs?: number;
  /** Healing starts once the DOM has been quiet this long, ms (default 400). */
  quietMs?: number;
  /** Disable healing (selectors only). */
  heal?: boolean;
  /** Abort waiting. */
  signal?: AbortSignal;
  /** Selector variants to try, most preferred first (default: the target's own selectors). */
  variants?: readonly LocateVariant[];
  /** Variants nobody confirmed for this user yet: never a match, but the first thing to ask about. */
  suggestions?: readonly LocateVariant[];
  /** Candidate selectors refused on this page (by this user or for everyone): never proposed. */
  rejected?: readonly string[];
  /** Where the previous step's element is now, and its recorded target (neighbours move together). */
  neighbour?: { element: Element; target: StepTarget } | null;
  /** Look for a hidden match and what reveals it when nothing visible matches (default true). */
  revealHidden?: boolean;
  /** Opens shadow roots, closed ones too where the caller can (an extension); default: open ones. */
  shadowRoot?: ShadowAccess;
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
  /** 0..100: how well the element matches the fingerprint (100 for an unchecked selector hit). */
  score: number;
  /** Ranked candidates (score ≥ 30, best 10); for the server when there is no clear winner. */
  candidates: LocateCandidate[];
  /** Why nothing was returned: no plausible candidate, no clear winner, or it is hidden. */
  reason?: 'not_found' | 'ambiguous' | 'hidden';
  /** Index into the variants of the one whose selector found the element. */
  variant?: number;
  /** Selector hits refused because they disagree with the fingerprint (and why). */
  disputed?: { element: Element; selector: string; reason: string }[];
  /** No clear winner: the candidate to ask the user about, if one is plausible enough. */
  ask?: LocateCandidate | null;
  /** The ask candidate came from an unconfirmed variant (a colleague's heal). */
  askFromSuggestion?: boolean;
  /** The element is in the page but hidden: the match and what opens it (null: nothing declared). */
  hidden?: { candidate: LocateCandidate; opener: Opener | null } | null;
}

/** A best candidate at least this good is worth asking about when it is not a clear winner. */
export const ASK_MIN_SCORE = 60;

interface Hit {
  element: Element;
  selector: string;
  variant: number;
  score: number;
}

/** Selectors of one variant to try, most robust first, with whether each is positional. */
function selectorList(s: Selectors | null | undefined): { selector: string; positional: boolean }[] {
  const out: { selector: string; positional: boolean }[] = [];
  if (!s) return out;
  const push = (sel: string | null | undefined, positional: boolean) => {
    if (sel && !out.some((x) => x.selector === sel)) out.push({ selector: sel, positional });
  };
  if (s.data_testid) push(`[data-testid="${s.data_testid.replace(/"/g, '\\"')}"]`, false);
  push(s.primary, /nth-|:nth/.test(s.primary || ''));
  push(s.css, /nth-|:nth|>/.test(s.css || ''));
  push(s.aria, false);
  push(s.xpath, true);
  push(s.xpath_alt, true);
  return out;
}

function frameDocument(f: Element): Document | null {
  try {
    const doc = (f as HTMLIFrameElement).contentDocument;
    return doc && doc.documentElement ? doc : null;
  } catch {
    return null; // cross-origin
  }
}

/**
 * The documents a variant's element may live in: follows its same-origin frame path. A frame
 * whose selector no longer matches exactly one frame widens to the same-origin frames there
 * showing the recorded address (`frame_urls`), else to every same-origin frame there.
 */
function frameScopes(root: QueryRoot, selectors: Selectors | null | undefined): QueryRoot[] {
  let scopes: QueryRoot[] = [root];
  const urls = selectors?.frame_urls ?? [];
  (selectors?.frame_path ?? []).forEach((sel, level) => {
    const next: QueryRoot[] = [];
    for (const scope of scopes) {
      let docs = resolveSelector(scope, sel)
        .filter((f) => f.localName === 'iframe' || f.localName === 'frame')
        .map(frameDocument);
      if (docs.length !== 1) {
        const all = Array.from(scope.querySelectorAll('iframe,frame'), frameDocument);
        const want = urls[level];
        const same = want ? all.filter((d) => !!d && originAndPath(d.location.href) === want) : [];
        docs = same.length ? same : all;
      }
      for (const d of docs) if (d) next.push(d);
    }
    scopes = next;
  });
  return scopes;
}

/** A checkbox or radio drawn by its label (the native input hidden or transparent under it). */
export function visibleLabelOf(el: Element): HTMLLabelElement | null {
  const labels = (el as HTMLInputElement).labels;
  if (!labels || !labels.length) return null;
  return (Array.from(labels).find((l) => isVisible(l)) as HTMLLabelElement | undefined) ?? null;
}

/** Usable by a person: visible and enabled, or a checkbox/radio operated through its visible label. */
export function isUsable(el: Element): boolean {
  if (!isEnabled(el)) return false;
  if (isVisible(el)) return true;
  const type = (el.getAttribute('type') || '').toLowerCase();
  return el.localName === 'input' && (type === 'checkbox' || type === 'radio') && !!visibleLabelOf(el);
}

function sameKind(el: Element, m: Partial<ElementMeta> | null | undefined): boolean {
  if (!m) return true;
  if (m.tag_name && el.tagName.toUpperCase() !== m.tag_name.toUpperCase()) return false;
  return !m.role || roleOf(el) === m.role;
}

interface SelectorPass {
  hit: Hit | null;
  /** A unique, verified hit that is hidden (in a closed menu, a tab…). */
  hidden: Hit | null;
  disputed: { element: Element; selector: string; reason: string }[];
}

function trySelectors(root: QueryRoot, target: StepTarget, variants: readonly LocateVariant[], shadowOf: ShadowAccess): SelectorPass {
  const out: SelectorPass = { hit: null, hidden: null, disputed: [] };
  for (let v = 0; v < variants.length; v++) {
    const variant = variants[v]!;
    const seen = new Set<Element>();
    const kindRef = variant.element_meta ?? target.element_meta;
    for (const scope of frameScopes(root, variant.selectors)) {
      const tries: { selector: string; positional: boolean; found: Element[] }[] = [];
      const chain = variant.selectors?.shadow_chain;
      if (chain && chain.length) tries.push({ selector: chain.join(' >>> '), positional: false, found: resolveShadowChain(scope, chain, shadowOf) });
      for (const { selector, positional } of selectorList(variant.selectors)) tries.push({ selector, positional, found: resolveSelector(scope, selector, shadowOf) });
      for (const t of tries) {
        const kind = t.found.filter((el) => sameKind(el, kindRef));
        const usable = kind.filter((el) => isUsable(el));
        if (usable.length === 1) {
          const el = usable[0]!;
          if (seen.has(el)) continue;
          seen.add(el);
          const verdict = verifyMatch(el, target, { variantMeta: variant.element_meta, positional: t.positional });
          if (verdict.ok) {
            // A more robust selector of this variant already found the element itself, hidden
            // (the id in a closed menu): a weaker one's visible hit elsewhere is a look-alike.
            if (out.hidden && out.hidden.variant === v) return out;
            out.hit = { element: el, selector: t.selector, variant: v, score: verdict.score };
            return out;
          }
          out.disputed.push({ element: el, selector: t.selector, reason: verdict.reason ?? 'score' });
        } else if (!usable.length && kind.length === 1 && !out.hidden && !t.positional) {
          const el = kind[0]!;
          if (verifyMatch(el, target, { variantMeta: variant.element_meta }).ok) out.hidden = { element: el, selector: t.selector, variant: v, score: 100 };
        }
      }
    }
  }
  return out;
}

const MAX_CANDIDATES = 5000;

/** Candidates of the same category as the original in document order: usable ones, or hidden ones. */
export function collectCandidates(scope: QueryRoot, target: StepTarget, which: 'usable' | 'hidden' = 'usable', shadowOf: ShadowAccess = openShadowRoot): Element[] {
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
  for (const el of allElements(modal ?? scope, shadowOf)) {
    if (out.length >= MAX_CANDIDATES) break;
    const t = el.localName;
    if (t === 'script' || t === 'style' || t === 'head' || t === 'html' || t === 'body' || t === 'template') continue;
    const kind = categoryOf(t, (roleOf(el) || '').toLowerCase(), (el.getAttribute('type') || '').toLowerCase());
    if (kind !== want && !(t === tag)) continue;
    const usable = isUsable(el);
    if (which === 'usable' ? !usable : usable || (el as HTMLInputElement).type === 'hidden' || !isEnabled(el)) continue;
    out.push(el);
  }
  return out;
}

function toCandidate(el: Element, target: StepTarget, score: number): LocateCandidate {
  return { element: el, selector: cssSelector(el) || positionalCss(el), score, target };
}

/**
 * Healing: candidates of the recorded element's category in every scope (never one of the
 * recorded look-alikes, nor a refused selector), scored and ranked; the best 10 at or above the
 * brief's floor of 30, each with a selector and its StepTarget (what the server's AI step needs).
 */
export function healCandidates(
  scopes: QueryRoot | readonly QueryRoot[],
  target: StepTarget,
  opts: { neighbour?: LocateOptions['neighbour']; rejected?: readonly string[]; which?: 'usable' | 'hidden'; shadowRoot?: ShadowAccess } = {},
): { ranked: RankedCandidate[]; candidates: LocateCandidate[] } {
  let elements: Element[] = [];
  for (const scope of Array.isArray(scopes) ? scopes : [scopes]) elements.push(...collectCandidates(scope as QueryRoot, target, opts.which ?? 'usable', opts.shadowRoot));
  let described = elements.map((el) => describeElement(el, { metaOnly: true }));
  const lookalike = target.element_meta?.lookalikes?.length ? described.map((d) => isRecordedLookalike(d.element_meta, target.element_meta)) : null;
  if (lookalike) {
    elements = elements.filter((_, i) => !lookalike[i]);
    described = described.filter((_, i) => !lookalike[i]);
  }
  let ranked = rankCandidates(target, described);
  const n = opts.neighbour;
  const up = n && n.element.isConnected ? recordedLevels(n.target, target) : null;
  if (n && up !== null && ranked.length) {
    const top = ranked.slice(0, 50);
    const plausible = top.map((r) => !contradicts(described[r.index]!, target));
    const adjusted = neighbourScores(top.map((r) => elements[r.index]!), top.map((r) => r.score), n.element, up, plausible);
    ranked = top.map((r, i) => ({ index: r.index, score: adjusted[i]! })).sort((a, b) => b.score - a.score || a.index - b.index);
  }
  const lead = ranked[0];
  const scopeList = (Array.isArray(scopes) ? scopes : [scopes]) as QueryRoot[];
  if (lead && lead.score >= COMPONENT_ASK_MIN_SCORE && lead.score < COMPONENT_ASK_SCORE && onlyOneInComponent(elements[lead.index]!, scopeList, target, opts.shadowRoot ?? openShadowRoot)) {
    ranked = [{ index: lead.index, score: COMPONENT_ASK_SCORE }, ...ranked.slice(1)];
  }
  const refused = new Set(opts.rejected ?? []);
  const candidates: LocateCandidate[] = [];
  const kept: RankedCandidate[] = [];
  for (const r of ranked) {
    if (r.score < MIN_CANDIDATE_SCORE || candidates.length >= 10) break;
    const c = { ...toCandidate(elements[r.index]!, target, r.score), target: described[r.index]! };
    if (refused.has(c.selector)) continue;
    candidates.push(c);
    kept.push(r);
  }
  return { ranked: kept, candidates };
}

/**
 * The candidates ranked again with one more signal per candidate (the visual similarity, 0..1,
 * or null where there is none), and what that decides: a clear winner that contradicts nothing
 * and was already good enough without it, else the best candidate worth asking about.
 */
export function rerankWithVisual(
  target: StepTarget,
  candidates: readonly LocateCandidate[],
  similarity: readonly (number | null)[],
): { ranked: LocateCandidate[]; winner: LocateCandidate | null; ask: LocateCandidate | null } {
  const before = new Map(candidates.map((c) => [c.element, c.score]));
  const ranked = candidates.map((c, i) => ({ ...c, score: withVisual(c.score, similarity[i]) })).sort((a, b) => b.score - a.score);
  const best = ranked[0];
  const plausible = (c: LocateCandidate) => !contradicts(c.target, target);
  // Looks are not identity (two links of one panel look alike whatever they say): the visual
  // signal can widen a winner's lead or reorder the question, never make a winner on its own.
  const winner = best && mayUseWithoutAsking(best.target, target) && clearWinner(ranked) && (before.get(best.element) ?? 0) >= ACCEPT_MIN_SCORE ? best : null;
  const ask = winner ? null : ranked.find((c) => c.score >= ASK_MIN_SCORE && plausible(c)) ?? null;
  return { ranked, winner, ask };
}

/** The brief's clear-winner rule over ranked scores. */
function clearWinner(ranked: readonly { score: number }[]): boolean {
  if (!ranked.length) return false;
  const second = ranked.length > 1 ? ranked[1]!.score : 0;
  return ranked[0]!.score >= ACCEPT_MIN_SCORE && ranked[0]!.score - second >= ACCEPT_MIN_MARGIN;
}

const CHECK_MS = 50;

function waitForQuietOrMatch(scope: QueryRoot, check: () => SelectorPass, timeoutMs: number, quietMs: number, signal?: AbortSignal): Promise<SelectorPass | null> {
  const doc = ((scope as Document).documentElement ? scope : (scope as Node).ownerDocument) as Document;
  return new Promise((resolve) => {
    let quietTimer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (value: SelectorPass | null) => {
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
        const pass = check();
        if (pass.hit) finish(pass);
      }, CHECK_MS);
    });
    observer.observe(doc, { childList: true, subtree: true, attributes: true, characterData: true });
    const hardTimer = setTimeout(() => finish(null), timeoutMs);
    signal?.addEventListener('abort', () => finish(null), { once: true });
    armQuiet();
  });
}

/** The first suggestion whose selectors find one usable element that agrees with the fingerprint. */
function suggestionHit(root: QueryRoot, target: StepTarget, suggestions: readonly LocateVariant[], rejected: ReadonlySet<string>, shadowOf: ShadowAccess): LocateCandidate | null {
  if (!suggestions.length) return null;
  const pass = trySelectors(root, target, suggestions, shadowOf);
  if (!pass.hit || rejected.has(pass.hit.selector)) return null;
  const el = pass.hit.element;
  return { element: el, selector: pass.hit.selector, score: pass.hit.score, target: describeElement(el, { metaOnly: true }) };
}

/** Find `target` under `root` (a document, shadow root or element). */
export async function locate(target: StepTarget, root: QueryRoot = document, opts: LocateOptions = {}): Promise<LocateResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const quietMs = Math.min(opts.quietMs ?? 400, timeoutMs);
  const started = Date.now();
  const variants: readonly LocateVariant[] = opts.variants?.length ? opts.variants : [{ selectors: target.selectors, element_meta: null }];
  const notFound: LocateResult = { element: null, method: null, selector: null, score: 0, candidates: [], reason: 'not_found' };
  // A frame may still be loading: wait for it within the same budget.
  const scopesOf = () => frameScopes(root, variants[0]!.selectors);
  let scopes = scopesOf();
  while (!scopes.length && Date.now() - started < timeoutMs && !opts.signal?.aborted) {
    await new Promise((r) => setTimeout(r, 50));
    scopes = scopesOf();
  }
  if (!scopes.length) return notFound;

  const shadowOf = opts.shadowRoot ?? openShadowRoot;
  const check = () => trySelectors(root, target, variants, shadowOf);
  let pass = check();
  if (!pass.hit) {
    // Wait on the first scope's document (frames of one page settle together).
    const waited = await waitForQuietOrMatch(scopes[0]!, check, timeoutMs - (Date.now() - started), quietMs, opts.signal);
    pass = waited ?? check();
  }
  const disputed = pass.disputed;
  if (pass.hit) {
    return { element: pass.hit.element, method: 'selector', selector: pass.hit.selector, score: pass.hit.score, candidates: [], variant: pass.hit.variant, disputed };
  }
  if (opts.heal === false) return { ...notFound, disputed };
  // A stored selector finds the recorded element itself, verified, only hidden (in a closed menu,
  // a tab): that is the element, whatever looks like it elsewhere; open its container.
  if (pass.hidden && opts.revealHidden !== false) {
    const hidden = hiddenMatch(scopes, target, pass.hidden, 0, opts);
    if (hidden) return { element: null, method: null, selector: null, score: hidden.candidate.score, candidates: [], reason: 'hidden', hidden, disputed };
  }

  const rejected = new Set(opts.rejected ?? []);
  const { ranked, candidates } = healCandidates(scopes, target, { neighbour: opts.neighbour, rejected: opts.rejected, shadowRoot: shadowOf });
  // The best candidate is used or asked about only when nothing about it contradicts the
  // recorded element (another text, another kind, a recorded look-alike).
  const metas = variants.map((v) => v.element_meta);
  const plausible = candidates[0] && !contradicts(candidates[0].target, target, metas) ? candidates[0] : null;
  if (plausible && clearWinner(ranked) && mayUseWithoutAsking(plausible.target, target)) {
    return { element: plausible.element, method: 'healed', selector: plausible.selector, score: plausible.score, candidates, disputed };
  }
  // A colleague's unconfirmed variant that finds one element agreeing with the fingerprint is
  // the first thing to ask about; else the best candidate when it is plausible enough.
  const suggested = suggestionHit(root, target, opts.suggestions ?? [], rejected, shadowOf);
  const ask = suggested ?? (plausible && plausible.score >= ASK_MIN_SCORE ? plausible : null);

  // A hidden match that is clearly better than anything visible (or a verified selector hit)
  // beats a question about a visible candidate: the walkthrough opens its container instead.
  if (!suggested && opts.revealHidden !== false) {
    const hidden = hiddenMatch(scopes, target, pass.hidden, ask?.score ?? plausible?.score ?? 0, opts);
    if (hidden) return { element: null, method: null, selector: null, score: hidden.candidate.score, candidates, reason: 'hidden', hidden, disputed };
  }
  if (!candidates.length && !ask) return { ...notFound, disputed };
  return {
    element: null,
    method: null,
    selector: null,
    score: candidates[0]?.score ?? ask?.score ?? 0,
    candidates,
    reason: 'ambiguous',
    ask,
    askFromSuggestion: !!suggested,
    disputed,
  };
}

/**
 * A hidden element that is the step's element: a unique verified selector hit, or a hidden
 * candidate that wins clearly over every visible one. With the opener the page declares.
 */
function hiddenMatch(scopes: readonly QueryRoot[], target: StepTarget, hit: Hit | null, bestVisible: number, opts: LocateOptions): LocateResult['hidden'] {
  if (hit) {
    const candidate = toCandidate(hit.element, target, hit.score);
    return { candidate: { ...candidate, target: describeElement(hit.element, { metaOnly: true }) }, opener: findOpener(hit.element) };
  }
  const { ranked, candidates } = healCandidates(scopes, target, { rejected: opts.rejected, which: 'hidden', shadowRoot: opts.shadowRoot });
  if (!candidates.length) return null;
  const best = candidates[0]!;
  const second = Math.max(ranked[1]?.score ?? 0, bestVisible);
  if (best.score < ASK_MIN_SCORE || best.score - second < ACCEPT_MIN_MARGIN / 2) return null;
  return { candidate: best, opener: findOpener(best.element) };
}

/** A best candidate this good is worth a question as the only one of its kind in the recorded component. */
export const COMPONENT_ASK_MIN_SCORE = 45;
/**
 * What such a candidate scores: worth a question even after the visual signal (a redesign
 * changes looks, not a component's insides), still far from a winner.
 */
export const COMPONENT_ASK_SCORE = ASK_MIN_SCORE + VISUAL_WEIGHT;

/**
 * Web components keep their insides together: when the hosts of the recorded shadow chain still
 * lead to one component (a coupon box, a date picker) and the best candidate is the only usable
 * element of the recorded kind inside it, it is worth a question (its score is raised to
 * COMPONENT_ASK_SCORE, never further: this alone makes no winner) even when a redesign changed its name
 * and label (the vendor's "Promo code" field for the recorded "Coupon code").
 */
function onlyOneInComponent(el: Element, scopes: readonly QueryRoot[], target: StepTarget, shadowOf: ShadowAccess): boolean {
  const chain = target.selectors?.shadow_chain;
  if (!chain || chain.length < 2) return false;
  const roots = new Set<ShadowRoot>();
  for (const scope of scopes) for (const host of resolveShadowChain(scope, chain.slice(0, -1), shadowOf)) {
    const r = shadowOf(host);
    if (r) roots.add(r);
  }
  if (roots.size !== 1) return false;
  const [component] = roots;
  const inside = collectCandidates(component!, target, 'usable', shadowOf);
  return inside.length === 1 && inside[0] === el;
}
