// The walkthrough in the page: find each step's element (find-step.content.ts), spotlight it,
// wait for the right interaction, advance 600 ms later. When the match is uncertain the user is
// asked ("Is this …?", dashed spotlight); when the element is hidden in a closed menu or tab,
// the user is guided through its opener first. The run itself lives in the service worker
// (chrome.storage.session), so a navigation or reload resumes at the same step.
//
// Every frame of the tab runs this. The service worker decides which frame shows each step (the
// one that holds its element: `walk/show`, answered and pushed to all frames as `push/walk-show`);
// that frame finds the element in its own document (closed shadow roots included), spotlights it
// and watches the interaction; the top frame, when the step is in an iframe, spotlights that iframe
// with a small "continue there" card; every other frame shows nothing.
//
// Values (shared/values.ts): a personal or free step is done by any value the colleague commits; a
// fixed one offers "Fill it for me"; a step that shows a value typed earlier (the link to the page
// just created) is looked for with what this colleague typed there, kept in the walk only.
import { checkOutcome, isVisible, urlShape, visibleLabelOf, type ExpectedOutcome, type LocateCandidate, type Opener } from '@stepwise/guide-core';
import { inOwnFrame } from '../shared/frames';
import { send, type StepReport, type WalkActive } from '../shared/messages';
import { outcomeOf } from '../shared/run';
import { webUrl } from '../shared/urls';
import type { GuideStep, RunOutcome, RunState, StepResult } from '../shared/types';
import { boundStep, fillValueOf, isValueSource, rememberValue, sourceIndexOf, takesAnyValue, withoutRecordedValues, type WalkValues } from '../shared/values';
import { hiddenView, notFoundView, openerView, REPORT_LABEL, reportsByDefault, skipReport } from './cards';
import { canFill, fieldValue, fillField } from './fill.content';
import { findStep, targetOf, voteFor, type Found, type PendingVote, type Report } from './find-step.content';
import { childFrameElement } from './frame.content';
import { watchInteraction } from './interaction.content';
import { Overlay, type OverlayButton, type OverlayOption, type StepView } from './overlay.content';
import { deepTarget, shadowRootOf } from './shadow.content';

export const ADVANCE_MS = 600;
export const FILL_LABEL = 'Fill it for me';
/** A step whose recorded outcome was a page load waits this long for it before moving on. */
const NAVIGATION_WAIT_MS = 3000;
/** Openers followed for one step before giving up (a menu in a menu in a panel). */
const MAX_REVEALS = 3;

const ACTION_WORDS: Record<GuideStep['action_type'], string> = {
  click: 'Click',
  input_commit: 'Fill in',
  select_change: 'Choose an option in',
  submit: 'Submit',
  navigate: 'Go to',
};

function titleOf(step: GuideStep): string {
  const m = step.element_meta;
  const name = step.field_label || m.label_text || m.accessible_name || m.aria_label || m.inner_text || m.placeholder || m.name || m.tag_name.toLowerCase();
  return String(name).slice(0, 100);
}

function instructionOf(step: GuideStep): string {
  if (step.instruction) return step.instruction;
  return `${ACTION_WORDS[step.action_type]} “${titleOf(step)}”.`;
}

/**
 * The start of what surrounded the recorded element (its row's first cells), for a question;
 * without the recorder's own typed values (`steps`, `i`: the run's steps and this one's index).
 */
function recordedNear(step: GuideStep, steps: readonly GuideStep[], i: number): string {
  const t = withoutRecordedValues((step.element_meta.nearby_text ?? '').replace(/\s+/g, ' ').trim(), steps, i);
  if (!t) return '';
  const cut = t.length > 40 ? `${t.slice(0, 40).replace(/\s+\S*$/, '')}…` : t;
  return cut;
}

function inViewport(el: Element): boolean {
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
}

/** What to draw the spotlight around: a checkbox drawn by its label is shown as that label. */
function spotTarget(el: Element): Element {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (el.localName !== 'input' || (type !== 'checkbox' && type !== 'radio')) return el;
  const r = el.getBoundingClientRect();
  const opacity = Number(getComputedStyle(el).opacity);
  if (isVisible(el) && r.width * r.height >= 144 && opacity > 0.1) return el;
  return visibleLabelOf(el) ?? el;
}

/**
 * The recorded outcome in guide-core's shape (the wire leaves empty parts out). The value a
 * personal or free step left is the recorder's own: the colleague's is not expected to match it.
 */
function expectedOutcomeOf(step: GuideStep): ExpectedOutcome | null {
  const wire = step.expected_outcome;
  const value = takesAnyValue(step) ? null : (wire?.value ?? null);
  return wire ? ({ navigation: wire.navigation ?? null, appeared: wire.appeared ?? [], disappeared: wire.disappeared ?? [], value } as ExpectedOutcome) : null;
}

/** The end card's words: all done, done past skipped steps (named), or ended (after a report or not). */
function endView(outcome: RunOutcome, name: string, skipped: string[], reported: boolean): Pick<StepView, 'title' | 'body' | 'tone'> {
  if (outcome === 'success') return { title: 'All done!', body: `You completed “${name}”.`, tone: 'done' };
  if (outcome === 'completed_with_skips') {
    const told = reported ? ' Your admin has been told about the steps that could not be found.' : '';
    return { title: `Done — ${skipped.length} step${skipped.length === 1 ? '' : 's'} skipped`, body: `You reached the end of “${name}”. Skipped: ${skipped.join(', ')}.${told}`, tone: 'done' };
  }
  return { title: 'Walkthrough ended', body: reported ? `Thanks — your report was sent to your admin. “${name}” was not completed.` : `“${name}” was not completed.`, tone: 'warning' };
}

/** "Is this …?": the words of the question about an uncertain match. */
function questionView(step: GuideStep, steps: readonly GuideStep[], i: number): Pick<StepView, 'title' | 'body'> {
  const near = recordedNear(step, steps, i);
  return {
    title: `Is this “${titleOf(step)}”?`,
    body: `The page has changed since this step was recorded${near ? ` (next to “${near}”)` : ''}. If this is where you ${ACTION_WORDS[step.action_type].toLowerCase()} “${titleOf(step)}”, use it or press Yes; if not, press Not this.`,
  };
}

/**
 * The question about a step that shows a value the colleague never typed (they skipped that step):
 * nothing on the page says which item is theirs, so it is asked, item by item.
 */
function unknownValueQuestion(step: GuideStep): Pick<StepView, 'title' | 'body'> {
  const name = titleOf(step);
  return {
    title: `Is this “${name}”?`,
    body: `You skipped the step where it was named, so the walkthrough can’t tell which one is yours. If this is it, use it or press Yes; if not, press Not this.`,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/** An uncertain match being asked about: the candidate, and what "Not this" does. */
interface Question {
  onNotThis: () => void;
  candidate: LocateCandidate;
}

/** Which frame this is (the browser's frame id, as the service worker said) and its last decision. */
export interface WalkFrame {
  frameId: number;
  active: WalkActive | null;
}

/** What a walkthrough in one frame is told by the service worker. */
export interface WalkHandle {
  /** A decision about which frame shows which step (push/walk-show). */
  apply(active: WalkActive): void;
}

const resolveTarget = (e: Event) => deepTarget(e, shadowRootOf);

export function initWalkthrough(run: RunState, signal: AbortSignal, frame: WalkFrame = { frameId: 0, active: null }): WalkHandle {
  const overlay = new Overlay(document, { progress: frame.frameId === 0 });
  const host = overlay.host;
  signal.addEventListener('abort', () => overlay.destroy(), { once: true });
  const total = run.steps.length;
  const results: StepResult[] = [...run.results];
  let stepCtl: AbortController | null = null;
  /** The element the last completed step was done on (neighbours move together). */
  let lastDone: { index: number; element: Element } | null = null;
  const reveals = new Map<number, number>();
  const refused = new Map<number, string[]>();
  const isTop = frame.frameId === 0;
  /** The newest decision applied here (a push that arrives late is older and ignored). */
  let seen = 0;
  /** What the colleague typed at steps a later one looks for (also kept by the service worker). */
  let values: WalkValues = { ...(run.values ?? {}) };
  /** Step i as this colleague's walk uses it (their values in place of the recorder's). */
  const stepAt = (i: number) => boundStep(run.steps, i, values);
  /** Step i shows a value typed earlier: what is found depends on this colleague's value. */
  const isBound = (i: number) => sourceIndexOf(run.steps, i) !== null;

  const setState = (state: string, index: number) => {
    host.dataset.state = state;
    host.dataset.step = String(index);
    host.dataset.total = String(total);
  };

  const exit = () => {
    stepCtl?.abort();
    setState('closed', -1);
    void send({ type: 'walk/close', runId: run.runId }).catch(() => {});
  };

  window.addEventListener(
    'keydown',
    (e) => {
      if (e.key === 'Escape' && e.isTrusted) exit();
    },
    { capture: true, signal },
  );

  const skippedSteps = () => results.map((r, i) => (r === 'skipped' ? i : -1)).filter((i) => i >= 0);

  const showDone = (outcome: RunOutcome, reported: boolean) => {
    stepCtl?.abort();
    const skipped = skippedSteps().map((i) => `step ${i + 1} (“${titleOf(stepAt(i).step)}”)`);
    setState(outcome === 'success' || outcome === 'completed_with_skips' ? 'done' : 'finished', total);
    host.dataset.outcome = outcome;
    overlay.show({ target: null, ...endView(outcome, run.workflow.name, skipped, reported), index: total, total, buttons: [{ label: 'Close', primary: true, onClick: exit }] });
  };

  /**
   * Ends what the current step watches (its listeners, waits and searches) and starts the watch of
   * the next, which the walkthrough's own end ends too.
   */
  const nextStepSignal = (): AbortSignal => {
    stepCtl?.abort();
    const ctl = new AbortController();
    stepCtl = ctl;
    signal.addEventListener('abort', () => ctl.abort(), { once: true });
    return ctl.signal;
  };

  const outcomeNow = (): RunOutcome => outcomeOf({ results });

  /** Skip from a step that was shown: the user chose to, the element was there. */
  const skipShown = (i: number, report: Report, started: number) => {
    results[i] = 'skipped';
    void stepDone(i, { ...report, status: 'skipped', result: 'skipped', execution_time_ms: Math.round(performance.now() - started) }, i + 1).then(() => showStep(i + 1));
  };

  const commonButtons = (i: number, onSkip: () => void): OverlayButton[] => [
    ...(i > 0 ? [{ label: 'Back', onClick: () => void goTo(i - 1) }] : []),
    { label: 'Skip', onClick: onSkip },
    { label: 'Exit', onClick: exit, ariaLabel: 'Exit the walkthrough' },
  ];

  async function goTo(i: number): Promise<void> {
    await send({ type: 'walk/go', runId: run.runId, index: i }).catch(() => {});
    void showStep(Math.max(0, i));
  }

  /** Saves step i's result; `value`: what the colleague committed there, when a later step looks for it. */
  async function stepDone(i: number, report: StepReport, next: number, value?: string): Promise<void> {
    results[i] = report.result;
    if (value !== undefined || report.result === 'skipped') values = rememberValue(values, run.steps, i, report.result === 'skipped' ? null : (value ?? null));
    await send({ type: 'walk/step-done', runId: run.runId, index: i, report, next, ...(value !== undefined ? { value } : {}) }).catch(() => {});
  }

  /** Shows step i (past the last: the end) in the frame that holds it: the service worker decides which. */
  async function showStep(i: number): Promise<void> {
    stepCtl?.abort();
    const active = await send({ type: 'walk/show', runId: run.runId, index: i }).catch(() => null);
    if (signal.aborted) return;
    // No answer (the worker is restarting): the top frame goes on as if it were alone.
    if (!active) {
      if (isTop) void runStep(i);
      return;
    }
    apply(active);
  }

  function apply(a: WalkActive): void {
    if (signal.aborted || a.runId !== run.runId || a.seq <= seen) return;
    seen = a.seq;
    a.results.forEach((r, k) => {
      if (r) results[k] = r;
    });
    if (a.index >= total) {
      if (isTop) void runStep(total, a);
      else standBy();
    } else if (a.frameId === frame.frameId) void runStep(a.index, a);
    else if (isTop) showElsewhere(a);
    else standBy();
  }

  /** Another frame shows the step: nothing here. */
  function standBy(): void {
    stepCtl?.abort();
    stepCtl = null;
    setState('elsewhere', -1);
    overlay.hide();
  }

  /**
   * The top frame while an iframe shows the step: that iframe spotlighted as an area with a small
   * card beside it, clicks elsewhere in this document blocked. While the step's frame is still
   * loading: "Looking for this element…".
   */
  function showElsewhere(a: WalkActive): void {
    const s = nextStepSignal();
    const i = a.index;
    const step = stepAt(i).step;
    const skip = () => {
      results[i] = 'skipped';
      void stepDone(i, { status: 'skipped', result: 'skipped' }, i + 1).then(() => showStep(i + 1));
    };
    if (a.frameId === null) {
      setState('searching', i);
      overlay.show({ target: null, title: titleOf(step), body: 'Looking for this element on the page…', index: i, total, buttons: commonButtons(i, skip) });
      return;
    }
    const iframe = childFrameElement(document, a.topIndex ?? -1, a.topUrl ?? '');
    setState('in-frame', i);
    overlay.onTargetLost = () => {
      // The iframe went away (the page re-rendered it): decide again.
      if (!s.aborted) void showStep(i);
    };
    overlay.show({ target: iframe, area: true, title: titleOf(step), body: 'Continue in the highlighted area.', index: i, total, buttons: [{ label: 'Exit', onClick: exit, ariaLabel: 'Exit the walkthrough' }] });
    if (!iframe) return;
    // Clicks inside the iframe never reach this document: every click here is elsewhere.
    watchInteraction(
      window,
      { element: iframe, action: 'click', isOurs: (t) => t === host, onWrong: () => overlay.nudge('Continue in the highlighted area.'), onCorrect: () => {} },
      s,
    );
  }

  /** Step i in this frame (past the last: the end): find its element and guide to it. */
  async function runStep(i: number, a: WalkActive | null = null): Promise<void> {
    const s = nextStepSignal();
    if (i >= total) {
      await finishRun(a);
      return;
    }
    const bound = stepAt(i);
    const step = bound.step;
    if (a?.missing) {
      // Its frame never came: said here, as for an element that is not on the page.
      showNotFound(step, i, { status: 'failed', result: 'failed', error_type: 'element_not_found', error_message: `The frame that held this element (${(step.selectors.frame_urls ?? []).join(' > ')}) is not on the page`, page_url: location.href }, performance.now());
      return;
    }
    const started = performance.now();
    setState('searching', i);
    delete host.dataset.outcome;
    if (step.action_type === 'navigate') {
      await showNavigate(step, i, started, s, bound.urlUnknown);
      return;
    }
    const found = await find(step, i, started, s);
    if (s.aborted) return;
    showFound(step, i, found, started, s);
  }

  /** The end: as the service worker already decided it, or decided here and told to it. */
  async function finishRun(a: WalkActive | null): Promise<void> {
    if (a?.finished) {
      showDone(a.finished, a.reported);
      return;
    }
    const outcome = outcomeNow();
    await send({ type: 'walk/finish', runId: run.runId, outcome }).catch(() => {});
    showDone(outcome, false);
  }

  /** Looks for step i's element; says it is looking only when that takes a moment (no flash otherwise). */
  async function find(step: GuideStep, i: number, started: number, s: AbortSignal): Promise<Found> {
    const searching = setTimeout(() => {
      if (!s.aborted) overlay.show({ target: null, title: titleOf(step), body: 'Looking for this element on the page…', index: i, total, buttons: commonButtons(i, () => skipShown(i, { status: 'skipped', result: 'skipped' }, started)) });
    }, 150);
    // Done here, so in this document: both targets as this frame sees them (without the frame path).
    const prev = lastDone && lastDone.index === i - 1 && lastDone.element.isConnected ? { element: lastDone.element, target: targetOf(inOwnFrame(stepAt(i - 1).step)) } : null;
    try {
      return await findStep({ runId: run.runId, index: i, step: inOwnFrame(step), me: run.me ?? null, previous: prev, refused: refused.get(i) ?? [], signal: s, hideOverlay: () => overlay.hideForCapture(), shadowRoot: shadowRootOf, bound: isBound(i), valueUnknown: stepAt(i).unknown });
    } finally {
      clearTimeout(searching);
    }
  }

  /** What was found decides the card: the step, a question, the way to a hidden element, or none. */
  function showFound(step: GuideStep, i: number, found: Found, started: number, s: AbortSignal): void {
    host.dataset.found = found.kind;
    // Why nothing was found, for whoever inspects the page (and the end-to-end tests).
    if (found.kind === 'not_found') host.dataset.reason = found.report.error_message ?? '';
    else delete host.dataset.reason;
    if (found.kind === 'found') guide(step, i, found.element, found.report, found.confirm, started, s);
    else if (found.kind === 'ask') ask(step, i, found.queue, 0, found.report, started, s);
    else if (found.kind === 'hidden') reveal(step, i, found.opener, found.report, started, s);
    else showNotFound(step, i, found.report, started);
  }

  /**
   * Spotlights the element and waits for the step's action on it. With a `question` the card asks
   * whether this is the element (Yes, Not this) and the spotlight is dashed.
   */
  function guide(step: GuideStep, i: number, element: Element, report: Report, confirm: PendingVote | null, started: number, s: AbortSignal, question?: Question): void {
    if (!inViewport(element)) element.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' as ScrollBehavior });
    const shown = spotTarget(element);
    overlay.onTargetLost = () => {
      // The page re-rendered the element: find it again.
      if (!s.aborted) void showStep(i);
    };
    const skip = () => skipShown(i, report, started);
    // The user's action and "Fill it for me" end the step once, whichever comes first.
    let completed = false;
    const complete = () => {
      if (completed || s.aborted) return;
      completed = true;
      done(step, i, element, report, confirm, started, s, question);
    };
    if (question) {
      const q = question;
      const yes = () => {
        sendVote(i, q.candidate.element, q.candidate.selector, 'confirm', 'asked', q.candidate.score);
        guide(step, i, element, report, null, started, s);
      };
      overlay.show({
        target: shown,
        ...(stepAt(i).unknown ? unknownValueQuestion(step) : questionView(step, run.steps, i)),
        index: i,
        total,
        question: true,
        buttons: [
          { label: 'Not this', onClick: q.onNotThis },
          { label: 'Yes', primary: true, onClick: yes },
          { label: 'Skip', onClick: skip },
          { label: 'Exit', onClick: exit, ariaLabel: 'Exit the walkthrough' },
        ],
      });
      setState('ask', i);
    } else {
      const fill = fillButton(step, element, complete);
      const buttons = commonButtons(i, skip);
      overlay.show({ target: shown, title: titleOf(step), body: instructionOf(step), index: i, total, buttons: fill ? [...buttons.slice(0, -2), fill, ...buttons.slice(-2)] : buttons });
      setState('step', i);
    }
    host.dataset.overlayMs = String(Math.round((performance.now() - started) * 10) / 10);
    host.dataset.method = report.status;
    if (element instanceof HTMLElement && typeof element.focus === 'function' && element.matches('input,select,textarea,button,a[href],[tabindex]') && isVisible(element)) element.focus({ preventScroll: true });

    watchInteraction(
      window,
      {
        element,
        action: step.action_type,
        isOurs: (t) => t === host,
        resolveTarget,
        onWrong: () => {
          host.dataset.wrong = String(Number(host.dataset.wrong ?? 0) + 1);
          overlay.nudge(question ? 'Use the highlighted element if it is the right one, or press Not this.' : 'That is not the highlighted element. Use the highlighted one to continue.');
        },
        onCorrect: complete,
      },
      s,
    );
  }

  /** The user did step i on `element`: confirm a healed element, save the step, advance. */
  function done(step: GuideStep, i: number, element: Element, report: Report, confirm: PendingVote | null, started: number, s: AbortSignal, question?: Question): void {
    overlay.onTargetLost = null;
    overlay.success();
    setState('advancing', i);
    // The user's action on a healed element is their confirmation of it.
    if (question) sendVote(i, question.candidate.element, question.candidate.selector, 'confirm', 'asked', question.candidate.score);
    else if (confirm) sendVote(i, element, confirm.selector, 'confirm', 'acted', confirm.score);
    lastDone = { index: i, element };
    const full: StepReport = { ...report, execution_time_ms: Math.round(performance.now() - started) };
    // What the colleague typed, when a later step looks for it (the link to what they created).
    const value = isValueSource(run.steps, i) ? fieldValue(element) : undefined;
    // Saved at once: if this action loads another page, the next page resumes at i + 1.
    void stepDone(i, full, i + 1, value);
    void advanceAfter(step, i, s);
  }

  async function advanceAfter(step: GuideStep, i: number, s: AbortSignal): Promise<void> {
    const before = location.href;
    await sleep(ADVANCE_MS, s);
    const expected = expectedOutcomeOf(step);
    if (expected?.navigation && expected.navigation.same_document === false && location.href === before) {
      // The recorded step loaded a new page: give it time (this document will go away).
      await sleep(NAVIGATION_WAIT_MS, s);
    } else if (expected && !checkOutcome(expected, document).progressed) {
      // The page has not shown the recorded effect yet: a little more time, then move on.
      await sleep(ADVANCE_MS, s);
    }
    if (!s.aborted) void showStep(i + 1);
  }

  /**
   * "Fill it for me" on a fixed step whose field can take the recorded value: sets it as typing
   * would, then the step is done as when the user did it (its outcome checked the same way).
   */
  function fillButton(step: GuideStep, element: Element, complete: () => void): OverlayButton | null {
    const value = fillValueOf(step);
    if (value === null || !canFill(element)) return null;
    return {
      label: FILL_LABEL,
      onClick: () => {
        if (fillField(element, value)) complete();
        else overlay.nudge('This field did not take the value. Fill it in yourself to continue.');
      },
    };
  }

  function sendVote(i: number, element: Element, selector: string, vote: 'confirm' | 'reject', how: 'asked' | 'acted', score: number | null): void {
    // Found by this colleague's own value: a variant made of it would fit no one else.
    if (isBound(i)) return;
    let v;
    try {
      v = voteFor(element, selector, vote, how, score);
    } catch {
      return; // the element went away meanwhile
    }
    void send({ type: 'walk/vote', runId: run.runId, index: i, vote: v }).catch(() => {});
  }

  /** "Is this …?" about queue[k]; "Not this" refuses it and asks about the next one. */
  function ask(step: GuideStep, i: number, queue: LocateCandidate[], k: number, report: Report, started: number, s: AbortSignal): void {
    const candidate = queue[k];
    if (!candidate || !candidate.element.isConnected) {
      showNotFound(step, i, { ...report, status: 'failed', result: 'failed', error_type: 'element_not_found', error_message: 'Every candidate was refused by the user' }, started);
      return;
    }
    const onNotThis = () => {
      sendVote(i, candidate.element, candidate.selector, 'reject', 'asked', candidate.score);
      refused.set(i, [...(refused.get(i) ?? []), candidate.selector]);
      ask(step, i, queue, k + 1, report, started, nextStepSignal());
    };
    guide(step, i, candidate.element, { ...report, deterministic_score: candidate.score }, null, started, s, { onNotThis, candidate });
  }

  /**
   * The element is in the page but hidden: the card says so and spotlights what opens it, then the
   * element is looked for again. Nothing to open (or opening did not show it): the same card as
   * "Can't find", with Try again.
   */
  function reveal(step: GuideStep, i: number, opener: Opener | null, report: Report, started: number, s: AbortSignal): void {
    const count = reveals.get(i) ?? 0;
    if (!opener || count >= MAX_REVEALS) {
      setState('hidden', i);
      const failure: Report = { ...report, status: 'failed', result: 'failed', error_type: 'element_not_found', error_message: `The element is on the page but hidden${opener ? `; opening “${opener.name}” ${MAX_REVEALS} times did not show it` : '; nothing found that opens it'}` };
      showUnreachable(i, hiddenView(titleOf(step)), failure, started, [{ label: 'Try again', onClick: () => void showStep(i) }]);
      return;
    }
    reveals.set(i, count + 1);
    const el = opener.element;
    if (!inViewport(el)) el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' as ScrollBehavior });
    overlay.onTargetLost = null;
    overlay.show({ target: el, ...openerView(opener, titleOf(step)), index: i, total, buttons: commonButtons(i, () => skipShown(i, report, started)) });
    setState('reveal', i);
    watchInteraction(
      window,
      {
        element: el,
        action: 'click',
        isOurs: (t) => t === host,
        resolveTarget,
        onWrong: () => overlay.nudge('Open the highlighted element first.'),
        onCorrect: () => {
          overlay.success();
          void sleep(300, s).then(() => {
            if (!s.aborted) void showStep(i);
          });
        },
      },
      s,
    );
  }

  function showNotFound(step: GuideStep, i: number, report: Report, started: number): void {
    const full: StepReport = { ...report, execution_time_ms: Math.round(performance.now() - started) };
    const there = stepAt(i).urlUnknown ? null : webUrl(step.page_context.url, location.href);
    if (there && urlShape(there) !== urlShape(location.href)) {
      // The step was recorded on another page (a skipped step used to lead there): go there.
      setState('wrong-page', i);
      overlay.show({
        target: null,
        title: 'This step is on another page',
        body: `“${titleOf(step)}” is on ${new URL(there).pathname}. Go there to continue.`,
        index: i,
        total,
        buttons: [
          { label: 'Take me there', primary: true, onClick: () => location.assign(there) },
          ...commonButtons(i, () => void stepDone(i, { ...full, status: 'skipped', result: 'skipped', error_type: 'wrong_page' }, i + 1).then(() => showStep(i + 1))),
        ],
      });
      return;
    }
    setState('not-found', i);
    showUnreachable(i, notFoundView(titleOf(step)), report, started);
  }

  /**
   * The card for an element that cannot be put under the spotlight (not found, or hidden with
   * nothing to open it): Skip goes on; with "Report it to my admin" checked it reports the failure
   * (the run goes on and ends "completed with skips", which the admin's health page counts as a
   * failure), and Exit ends the walk as failed and reported (the end card says so). Unchecked,
   * they are a plain skip and exit.
   */
  function showUnreachable(i: number, words: { title: string; body: string }, failure: Report, started: number, extra: OverlayButton[] = []): void {
    let report = reportsByDefault(run.me);
    const option: OverlayOption = { label: REPORT_LABEL, checked: report, onChange: (checked) => (report = checked) };
    const full = (): StepReport => ({ ...failure, execution_time_ms: Math.round(performance.now() - started) });
    const skip = () => void stepDone(i, skipReport(full(), report), i + 1).then(() => showStep(i + 1));
    const exitReported = () => {
      if (!report) return exit();
      // Ends the walk as failed, reported; the end card (the top frame's) says the admin was told.
      results[i] = 'failed';
      const finished = send({ type: 'walk/finish', runId: run.runId, outcome: 'failed', report: { ...full(), status: 'failed', result: 'failed', error_type: 'element_not_found' }, reported: true }).catch(() => {});
      if (isTop) showDone('failed', true);
      else void finished.then(() => showStep(total));
    };
    overlay.show({
      target: null,
      ...words,
      index: i,
      total,
      tone: 'warning',
      option,
      buttons: [...extra, { label: 'Skip', primary: true, onClick: skip }, { label: 'Exit', onClick: exitReported, ariaLabel: 'Exit the walkthrough' }],
    });
  }

  /** `urlUnknown`: the address names a value the colleague did not type (they skipped that step). */
  async function showNavigate(step: GuideStep, i: number, started: number, s: AbortSignal, urlUnknown = false): Promise<void> {
    const want = urlShape(step.page_context.url);
    const arrived = () => !urlUnknown && urlShape(location.href) === want;
    const complete = async () => {
      await stepDone(i, { status: 'success', result: 'success', page_url: location.href, execution_time_ms: Math.round(performance.now() - started) }, i + 1);
      if (!s.aborted) void showStep(i + 1);
    };
    if (arrived()) {
      await complete();
      return;
    }
    setState('navigate', i);
    if (urlUnknown) {
      // The recorder's address would open the recorder's page, not the colleague's.
      overlay.show({
        target: null,
        title: titleOf(step),
        body: `${instructionOf(step)} The walkthrough doesn’t know its address, because the step that named it was skipped. Open it yourself, or skip this step.`,
        index: i,
        total,
        tone: 'warning',
        buttons: commonButtons(i, () => skipShown(i, { status: 'skipped', result: 'skipped' }, started)),
      });
      return;
    }
    // Only web addresses are opened (never javascript:, data:, file: …): any other is a page the
    // walkthrough cannot go to, and the step can only be skipped.
    const there = webUrl(step.page_context.url, location.href);
    if (!there) {
      overlay.show({
        target: null,
        title: step.field_label || step.page_context.title || 'Next page',
        body: 'The walkthrough can’t open the address this step leads to (only http and https pages). Skip this step to go on.',
        index: i,
        total,
        tone: 'warning',
        buttons: commonButtons(i, () => skipShown(i, { status: 'skipped', result: 'skipped' }, started)),
      });
      return;
    }
    overlay.show({
      target: null,
      title: step.field_label || step.page_context.title || 'Next page',
      body: step.instruction || `Go to ${there}`,
      index: i,
      total,
      buttons: [
        {
          label: 'Take me there',
          primary: true,
          onClick: () => {
            void stepDone(i, { status: 'success', result: 'success', page_url: there }, i + 1).then(() => location.assign(there));
          },
        },
        ...commonButtons(i, () => skipShown(i, { status: 'skipped', result: 'skipped' }, started)),
      ],
    });
    // Client-side routes change the URL without a new page: watch for it.
    while (!s.aborted) {
      await sleep(250, s);
      if (!s.aborted && arrived()) {
        await complete();
        return;
      }
    }
  }

  // A page (re)loaded: the top frame asks which frame shows the current step; a child frame
  // shows it when it is the one (its document loaded anew while the step waited for it), and
  // asks again when its own step was done just before it navigated.
  const at = Math.min(run.index, total);
  const a = frame.active;
  if (run.finished) {
    if (isTop) showDone(run.finished, !!run.reported);
  } else if (isTop) void showStep(at);
  else if (a && a.frameId === frame.frameId) {
    if (a.index === at) apply(a);
    else void showStep(at);
  }
  return { apply };
}

