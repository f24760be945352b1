// The walkthrough in the page: locate each step's element with guide-core (waiting for late
// rendering, healing), ask the server when guide-core has no clear winner, spotlight it, wait for
// the right interaction, advance 600 ms later. The run itself lives in the service worker
// (chrome.storage.session), so a navigation or reload resumes at the same step.
import { checkOutcome, locate, pageStateHash, urlShape, type ExpectedOutcome, type LocateResult, type StepTarget } from '@stepwise/guide-core';
import { send, type StepReport } from '../shared/messages';
import type { GuideStep, HealCandidateWire, RunState } from '../shared/types';
import { watchInteraction } from './interaction.content';
import { Overlay } from './overlay.content';

export const ADVANCE_MS = 600;
/** A step whose recorded outcome was a page load waits this long for it before moving on. */
const NAVIGATION_WAIT_MS = 3000;
const LOCATE_TIMEOUT_MS = 6000;

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

function wire(c: LocateResult['candidates'][number]): HealCandidateWire {
  return {
    selector: c.selector.slice(0, 2000),
    selectors: c.target.selectors as HealCandidateWire['selectors'],
    element_meta: c.target.element_meta as HealCandidateWire['element_meta'],
    deterministic_score: Math.max(0, Math.min(100, c.score)),
  };
}

function inViewport(el: Element): boolean {
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

export function initWalkthrough(run: RunState, signal: AbortSignal): void {
  const overlay = new Overlay(document);
  const host = overlay.host;
  signal.addEventListener('abort', () => overlay.destroy(), { once: true });
  const total = run.steps.length;
  let stepCtl: AbortController | null = null;

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

  const showDone = (outcome: RunState['finished']) => {
    stepCtl?.abort();
    setState(outcome === 'success' ? 'done' : 'finished', total);
    overlay.show({
      target: null,
      title: outcome === 'success' ? 'All done!' : 'Walkthrough ended',
      body: outcome === 'success' ? `You completed “${run.workflow.name}”.` : `“${run.workflow.name}” could not be completed. Your admin has been told.`,
      index: total,
      total,
      tone: outcome === 'success' ? 'done' : 'warning',
      buttons: [{ label: 'Close', primary: true, onClick: exit }],
    });
  };

  const commonButtons = (i: number) => [
    ...(i > 0 ? [{ label: 'Back', onClick: () => void goTo(i - 1) }] : []),
    { label: 'Skip', onClick: () => void goTo(i + 1) },
    { label: 'Exit', onClick: exit, ariaLabel: 'Exit the walkthrough' },
  ];

  async function goTo(i: number): Promise<void> {
    if (i >= total) {
      await send({ type: 'walk/finish', runId: run.runId, outcome: run.steps.length && i > 0 ? 'success' : 'abandoned' }).catch(() => {});
      showDone('success');
      return;
    }
    await send({ type: 'walk/go', runId: run.runId, index: i }).catch(() => {});
    void showStep(Math.max(0, i));
  }

  async function stepDone(i: number, report: StepReport, next: number): Promise<void> {
    await send({ type: 'walk/step-done', runId: run.runId, index: i, report, next }).catch(() => {});
  }

  async function showStep(i: number): Promise<void> {
    stepCtl?.abort();
    const ctl = new AbortController();
    stepCtl = ctl;
    const s = ctl.signal;
    signal.addEventListener('abort', () => ctl.abort(), { once: true });
    if (i >= total) {
      showDone('success');
      return;
    }
    const step = run.steps[i]!;
    const started = performance.now();
    setState('searching', i);

    if (step.action_type === 'navigate') {
      await showNavigate(step, i, started, s);
      return;
    }

    const target: StepTarget = { selectors: step.selectors as StepTarget['selectors'], element_meta: step.element_meta as StepTarget['element_meta'] };
    // Only when the element is not there at once: say that we are looking (no flash otherwise).
    const searching = setTimeout(() => {
      if (!s.aborted) overlay.show({ target: null, title: titleOf(step), body: 'Looking for this element on the page…', index: i, total, buttons: commonButtons(i) });
    }, 150);
    let res: LocateResult;
    try {
      res = await locate(target, document, { timeoutMs: LOCATE_TIMEOUT_MS, quietMs: 600, signal: s });
    } finally {
      clearTimeout(searching);
    }
    if (s.aborted) return;

    let element = res.element;
    let report: Omit<StepReport, 'execution_time_ms'> = {
      status: 'success',
      result: 'success',
      candidates_evaluated: res.candidates.length || null,
      deterministic_score: res.method === 'healed' ? res.score : null,
    };
    const pageUrl = location.href;
    const stateHash = pageStateHash(document);
    if (res.method === 'healed') {
      report = { ...report, status: 'healed_deterministic', result: 'healed', healing_confidence: Math.min(1, res.score / 100) };
      // A clear winner is used at once; the server is told so it can store the healed selector.
      void send({ type: 'walk/heal', runId: run.runId, index: i, candidates: res.candidates.slice(0, 10).map(wire), pageStateHash: stateHash, pageUrl, wait: false }).catch(() => null);
    } else if (!element && res.reason === 'ambiguous' && res.candidates.length) {
      overlay.show({ target: null, title: titleOf(step), body: 'The page changed; finding the element…', index: i, total, buttons: commonButtons(i) });
      const decision = await send({ type: 'walk/heal', runId: run.runId, index: i, candidates: res.candidates.slice(0, 10).map(wire), pageStateHash: stateHash, pageUrl, wait: true }).catch(() => null);
      if (s.aborted) return;
      const idx = decision?.found ? decision.candidate_index : null;
      const chosen = idx !== null && idx !== undefined ? res.candidates[idx] : undefined;
      if (decision && chosen && chosen.element.isConnected) {
        element = chosen.element;
        report = {
          ...report,
          status: decision.method === 'ai_assisted' ? 'healed_ai' : 'healed_deterministic',
          result: 'healed',
          healing_confidence: decision.confidence,
          deterministic_score: chosen.score,
        };
      }
    }
    report = { ...report, page_state_hash: stateHash, page_url: pageUrl };

    if (!element) {
      showNotFound(step, i, { ...report, status: 'failed', result: 'failed', error_type: 'element_not_found', error_message: `No element matched “${titleOf(step)}” (${res.reason ?? 'not_found'})` }, started);
      return;
    }

    if (!inViewport(element)) element.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' as ScrollBehavior });
    const el = element;
    overlay.onTargetLost = () => {
      // The page re-rendered the element: find it again.
      if (!s.aborted) void showStep(i);
    };
    overlay.show({ target: el, title: titleOf(step), body: instructionOf(step), index: i, total, buttons: commonButtons(i) });
    host.dataset.overlayMs = String(Math.round((performance.now() - started) * 10) / 10);
    setState('step', i);
    host.dataset.method = report.status;
    if (el instanceof HTMLElement && typeof el.focus === 'function' && el.matches('input,select,textarea,button,a[href],[tabindex]')) el.focus({ preventScroll: true });

    watchInteraction(
      window,
      {
        element: el,
        action: step.action_type,
        isOurs: (t) => t === host,
        onWrong: () => {
          host.dataset.wrong = String(Number(host.dataset.wrong ?? 0) + 1);
          overlay.nudge('That is not the highlighted element. Use the highlighted one to continue.');
        },
        onCorrect: () => {
          overlay.onTargetLost = null;
          overlay.success();
          setState('advancing', i);
          const full: StepReport = { ...report, execution_time_ms: Math.round(performance.now() - started) };
          // Saved at once: if this action loads another page, the next page resumes at i + 1.
          void stepDone(i, full, i + 1);
          void (async () => {
            const before = location.href;
            await sleep(ADVANCE_MS, s);
            const wireOutcome = step.expected_outcome;
            const expected: ExpectedOutcome | null = wireOutcome
              ? ({
                  navigation: wireOutcome.navigation ?? null,
                  appeared: wireOutcome.appeared ?? [],
                  disappeared: wireOutcome.disappeared ?? [],
                  value: wireOutcome.value ?? null,
                } as ExpectedOutcome)
              : null;
            if (expected?.navigation && expected.navigation.same_document === false && location.href === before) {
              // The recorded step loaded a new page: give it time (this document will go away).
              await sleep(NAVIGATION_WAIT_MS, s);
            } else if (expected && !checkOutcome(expected, document).progressed) {
              // The page has not shown the recorded effect yet: a little more time, then move on.
              await sleep(ADVANCE_MS, s);
            }
            if (!s.aborted) void showStep(i + 1);
          })();
        },
      },
      s,
    );
  }

  function showNotFound(step: GuideStep, i: number, report: StepReport, started: number): void {
    setState('not-found', i);
    const full = { ...report, execution_time_ms: Math.round(performance.now() - started) };
    overlay.show({
      target: null,
      title: 'Can’t find this element',
      body: `“${titleOf(step)}” is not on this page any more. The app may have changed. Skip this step, or report it to your admin.`,
      index: i,
      total,
      tone: 'warning',
      buttons: [
        {
          label: 'Skip',
          onClick: () => {
            void stepDone(i, full, i + 1).then(() => showStep(i + 1));
          },
        },
        {
          label: 'Report',
          primary: true,
          onClick: () => {
            void send({ type: 'walk/finish', runId: run.runId, outcome: 'failed', report: full }).catch(() => {});
            showDone('failed');
          },
        },
        { label: 'Exit', onClick: exit, ariaLabel: 'Exit the walkthrough' },
      ],
    });
  }

  async function showNavigate(step: GuideStep, i: number, started: number, s: AbortSignal): Promise<void> {
    const want = urlShape(step.page_context.url);
    const arrived = () => urlShape(location.href) === want;
    const complete = async () => {
      await stepDone(i, { status: 'success', result: 'success', page_url: location.href, execution_time_ms: Math.round(performance.now() - started) }, i + 1);
      if (!s.aborted) void showStep(i + 1);
    };
    if (arrived()) {
      await complete();
      return;
    }
    setState('navigate', i);
    overlay.show({
      target: null,
      title: step.field_label || step.page_context.title || 'Next page',
      body: step.instruction || `Go to ${step.page_context.url}`,
      index: i,
      total,
      buttons: [
        {
          label: 'Take me there',
          primary: true,
          onClick: () => {
            void stepDone(i, { status: 'success', result: 'success', page_url: step.page_context.url }, i + 1).then(() => location.assign(step.page_context.url));
          },
        },
        ...commonButtons(i),
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

  if (run.finished) showDone(run.finished);
  else void showStep(Math.min(run.index, total));
}
