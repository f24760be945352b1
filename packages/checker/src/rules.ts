// The checker's decisions, pure: which page a step needs, whether a page is a sign-in page where
// the recording had none, whether a click changes nothing, what a heal decision makes of a step,
// which value a replayed step types, and how the check ends. The browser work (check-run.ts)
// gathers the facts and asks here.
import type { CheckStep, DoneStatus, HealDecision, StepMethod, StepOutcome } from './protocol.js';

/** Origin and path of a URL (query and fragment carry per-visit data); '' when it has none. */
export function pageKey(url: string | null | undefined): string {
  if (!url) return '';
  try {
    const u = new URL(url);
    return u.origin === 'null' ? '' : `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}

/** The address without its fragment: what "the page changed" compares. */
export function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i < 0 ? url : url.slice(0, i);
}

/** The address as an absolute http(s) URL, or null (a stored javascript:, data:, file: … is never opened). */
export function webUrl(raw: string | null | undefined, base?: string): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    const u = base === undefined ? new URL(raw) : new URL(raw, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

const SIGN_IN_WORD = /(^|[^a-z])(log-?in|sign-?in|sign_in|auth|oauth\d*|sso|saml)([^a-z]|$)/i;

/** The URL's path (or its host's first label: login.example.com) names a sign-in page. */
export function isSignInUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return SIGN_IN_WORD.test(u.pathname) || SIGN_IN_WORD.test(u.hostname.split('.')[0] ?? '');
  } catch {
    return false;
  }
}

/**
 * The page shown is a sign-in page where the step's page was expected: its address names one and
 * the recorded address did not, or it shows a password field that the recording did not have on
 * that page.
 */
export function looksSignedOut(facts: { url: string; passwordVisible: boolean }, recordedUrl: string, recordedHadPassword: boolean): boolean {
  if (isSignInUrl(facts.url) && !isSignInUrl(recordedUrl)) return true;
  return facts.passwordVisible && !recordedHadPassword;
}

/** Whether the recording had a password field on the page of `url` (a step on it typed into one). */
export function recordingHadPassword(steps: readonly CheckStep[], url: string): boolean {
  const key = pageKey(url);
  return steps.some((s) => pageKey(s.page_context.url) === key && (s.element_meta.type ?? '').toLowerCase() === 'password');
}

/** What the page tells about a clicked element (gathered in the page by in-page.ts). */
export interface ClickFacts {
  tag: string;
  role: string | null;
  /** The link the element is or sits in: its resolved address, or null. */
  linkHref: string | null;
  /** The link has `download`, or opens elsewhere through `target` other than _self. */
  linkDownloads: boolean;
  pageOrigin: string;
  /** aria-haspopup other than "false" on the element or its closest button. */
  hasPopup: boolean;
  /** aria-expanded on the element or its closest button. */
  expanded: boolean;
  /** The element is a <summary> or sits in one. */
  inSummary: boolean;
  /** A submit control of a form (button type=submit, input type=submit/image). */
  submits: boolean;
}

const SIGN_OUT = /(^|[^a-z])(log-?out|sign-?out|log-?off|sign-?off)([^a-z]|$)/i;

/**
 * A step a locate check performs because it changes no data (docs/checker.md): a navigate step,
 * or a click on a same-origin link, a tab, or a menu or disclosure opener. A menu item counts as
 * a link or an opener only: "Archive team" in a menu is a button that changes data.
 */
export function isNonMutating(step: Pick<CheckStep, 'action_type'>, facts: ClickFacts | null): { perform: boolean; why: string } {
  if (step.action_type === 'navigate') return { perform: true, why: 'navigation' };
  if (step.action_type !== 'click') return { perform: false, why: `${step.action_type} changes data` };
  if (!facts) return { perform: false, why: 'no element' };
  if (facts.submits) return { perform: false, why: 'submits a form' };
  if (facts.linkHref) {
    const href = webUrl(facts.linkHref);
    if (!href) return { perform: false, why: 'link to a non-web address' };
    if (facts.linkDownloads) return { perform: false, why: 'link downloads or opens another window' };
    if (new URL(href).origin !== facts.pageOrigin) return { perform: false, why: 'link to another origin' };
    if (SIGN_OUT.test(new URL(href).pathname)) return { perform: false, why: 'sign-out link' };
    return { perform: true, why: 'same-origin link' };
  }
  if (facts.role === 'tab') return { perform: true, why: 'tab' };
  if (facts.inSummary) return { perform: true, why: 'disclosure (summary)' };
  if (facts.hasPopup) return { perform: true, why: 'menu opener (aria-haspopup)' };
  if (facts.expanded) return { perform: true, why: 'disclosure (aria-expanded)' };
  return { perform: false, why: facts.role === 'menuitem' ? 'menu item that is not a link or opener' : 'click may change data' };
}

/** A heal candidate as locate ranked it, with what guide-core's verify says about it. */
export interface CandidateFacts {
  /** Something about it contradicts the recorded element (another text, another kind). */
  contradicts: boolean;
  /** guide-core's mayUseWithoutAsking: its name agrees enough to use it unasked. */
  mayUse: boolean;
  connected: boolean;
}

export interface HealInput {
  /** locate's clear winner (method 'healed'): candidates[0]. */
  winner: boolean;
  /** The candidate locate would ask about, as an index into candidates, or null. */
  ask: number | null;
  candidates: readonly CandidateFacts[];
}

export type HealVerdict =
  | { outcome: 'healed'; method: 'deterministic' | 'ai_assisted'; index: number }
  | { outcome: 'uncertain'; index: number }
  | { outcome: 'not_found' };

/**
 * What a step whose selectors failed comes to, given the server's heal decision (null: none came),
 * as the walkthrough's find-step does it: the server's choice is used unless it contradicts the
 * recorded element without the AI's word, and is only a question when the server says to ask or
 * its name does not agree; with no decision a clear winner is used (deterministic); otherwise the
 * candidate worth a question leaves the step uncertain.
 */
export function healVerdict(input: HealInput, decision: HealDecision | null): HealVerdict {
  if (decision && decision.found && typeof decision.candidate_index === 'number') {
    const index = decision.candidate_index;
    const chosen = input.candidates[index];
    const ai = decision.method === 'ai_assisted';
    if (chosen && chosen.connected && (ai || !chosen.contradicts)) {
      if (decision.ask_user || (!ai && !chosen.mayUse)) return { outcome: 'uncertain', index };
      return { outcome: 'healed', method: ai ? 'ai_assisted' : 'deterministic', index };
    }
  }
  if (!decision && input.winner && input.candidates[0]?.connected) return { outcome: 'healed', method: 'deterministic', index: 0 };
  if (input.ask !== null && input.candidates[input.ask]?.connected) return { outcome: 'uncertain', index: input.ask };
  // The server did not take locate's clear winner: it is still what a colleague would be asked about.
  if (input.winner && input.candidates[0]?.connected) return { outcome: 'uncertain', index: 0 };
  return { outcome: 'not_found' };
}

export type ValueKind = 'personal' | 'free' | 'fixed';

/** The step's value kind as the contract says (absent: fixed, or personal when masked); null for steps that take no value. */
export function valueKindOf(step: Pick<CheckStep, 'action_type' | 'action_data' | 'element_meta'>): ValueKind | null {
  if (step.action_type !== 'input_commit' && step.action_type !== 'select_change') return null;
  const data = step.action_data;
  if (data?.value_kind) return data.value_kind;
  return data?.value_masked || step.element_meta.value_masked ? 'personal' : 'fixed';
}

/**
 * The value a replayed step types or chooses: the check's value for the step, else the recorded
 * one of a fixed step (never a masked one). An error for a step that needs a value it has not got.
 */
export function replayValue(step: Pick<CheckStep, 'id' | 'action_type' | 'action_data' | 'element_meta'>, values: Readonly<Record<string, string>>): { value: string } | { error: string } | null {
  const kind = valueKindOf(step);
  if (kind === null) return null;
  const given = values[String(step.id)];
  if (typeof given === 'string') return { value: given };
  if (kind !== 'fixed') return { error: `a ${kind} step needs a value (values["${step.id}"]) and the check has none` };
  const data = step.action_data;
  const recorded = data?.input_value;
  if (data?.value_masked || step.element_meta.value_masked || typeof recorded !== 'string') return { error: 'the recorded value is withheld (masked) and the check has none' };
  return { value: recorded };
}

/** The status the checker reports; the server recomputes passed/at_risk from the steps. */
export function doneStatus(outcomes: readonly StepOutcome[]): DoneStatus {
  return outcomes.some((o) => o === 'not_found' || o === 'uncertain' || o === 'error') ? 'at_risk' : 'passed';
}

/** The method a step line reports for an outcome. */
export function methodFor(outcome: StepOutcome, healed: StepMethod): StepMethod {
  if (outcome === 'found') return 'selector';
  if (outcome === 'healed') return healed;
  return null;
}

/**
 * Whether a step not found was only not reachable: a mutating step that the check did not perform
 * came earlier on the page it was looked for on, or it is on a page only that step leads to.
 */
export class Reachability {
  private readonly mutated = new Set<string>();
  private readonly ledToByMutation = new Set<string>();

  /** A mutating step was not performed on the page at `currentUrl`; `next` is the following step. */
  skipped(currentUrl: string, step: CheckStep, next: CheckStep | undefined): void {
    this.mutated.add(pageKey(currentUrl));
    const from = pageKey(step.page_context.url);
    const to = next ? pageKey(next.page_context.url) : '';
    if (to && to !== from) this.ledToByMutation.add(to);
  }

  unreachable(currentUrl: string, step: CheckStep): boolean {
    return this.mutated.has(pageKey(currentUrl)) || this.ledToByMutation.has(pageKey(step.page_context.url));
  }
}
