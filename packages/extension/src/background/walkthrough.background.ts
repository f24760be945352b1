// Walkthrough runs in the service worker: the run lives in chrome.storage.session, so a
// navigation, a reload or a worker restart resumes it at the same step. The worker fetches the
// workflow, moves the tab to the starting URL, asks the server to heal, and reports health.
// Every frame of the tab runs the walkthrough's content script; the worker decides which frame
// shows each step (the one that holds its element) and tells them all (push/walk-show).
import { uuid } from '../shared/backoff';
import { outcomeOf } from '../shared/run';
import { webUrl } from '../shared/urls';
import { rememberValue } from '../shared/values';
import { logError } from '../shared/errors';
import { frameDepth } from '../shared/frames';
import type { RequestOf, StepReport, WalkActive } from '../shared/messages';
import type { AutoHealDecision, GuideStep, HealthLogEntry, HealVoteRequest, HealVoteResult, RunOutcome, RunState, WorkflowDetail } from '../shared/types';
import { ApiError, call, getAuth, getServerUrl } from './api.background';
import { ensureContentScripts, injectInto, pushTo } from './content-scripts.background';
import { stepFrame } from './frames.background';
import { flushHealth, report } from './health.background';
import { dataUrlToBlob } from './capture.background';
import { captureQueue } from './recorder.background';
import { compareCrops } from './visual.background';

const RUN_KEY = 'run';
const ACTIVE_KEY = 'walkActive';

export async function getRun(): Promise<RunState | null> {
  const got = await chrome.storage.session.get(RUN_KEY);
  return (got[RUN_KEY] as RunState | undefined) ?? null;
}

async function saveRun(run: RunState | null): Promise<void> {
  if (run) await chrome.storage.session.set({ [RUN_KEY]: run });
  else await chrome.storage.session.remove([RUN_KEY, ACTIVE_KEY]);
}

/** Which frame shows which step now (kept apart from the run: decided while the run changes). */
export async function getActive(): Promise<WalkActive | null> {
  const got = await chrome.storage.session.get(ACTIVE_KEY);
  return (got[ACTIVE_KEY] as WalkActive | undefined) ?? null;
}

/** Same page for a walkthrough: origin and path (query and fragment may carry per-visit data). */
export function samePage(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname.replace(/\/+$/, '') === y.pathname.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

export function guideSteps(detail: WorkflowDetail): GuideStep[] {
  return detail.steps.map((s) => ({
    id: s.id,
    step_number: s.step_number,
    action_type: s.action_type,
    selectors: s.selectors,
    element_meta: s.element_meta,
    page_context: s.page_context,
    action_data: s.action_data ?? null,
    expected_outcome: s.expected_outcome ?? null,
    field_label: s.field_label,
    instruction: s.instruction,
    selector_variants: s.selector_variants,
    screenshot_url: s.screenshot?.url ?? null,
  }));
}

export async function startRun(msg: RequestOf<'walkthrough/start'>): Promise<void> {
  const previous = await getRun();
  if (previous && !previous.finished) await finishRun(previous.runId, 'abandoned');
  const { data: detail } = await call<WorkflowDetail>('GET', `/api/workflows/${msg.workflowId}`);
  if (!detail.steps.length) throw new Error('This workflow has no steps.');
  if (!webUrl(detail.starting_url)) throw new Error('This workflow starts on an address the walkthrough cannot open (only http and https pages).');
  const auth = await getAuth();
  const run: RunState = {
    runId: uuid(),
    tabId: msg.tabId,
    workflow: { id: detail.id, name: detail.name, starting_url: detail.starting_url },
    steps: guideSteps(detail),
    index: 0,
    results: [],
    notFound: [],
    startedAt: Date.now(),
    finished: null,
    me: auth ? { id: auth.user.id, role: auth.user.role } : null,
  };
  await saveRun(run);
  await chrome.storage.session.remove(ACTIVE_KEY);
  await ensureContentScripts();
  const tab = await chrome.tabs.get(msg.tabId);
  // The brief: check the URL and go to the starting URL first (only a web address is opened).
  const start = webUrl(detail.starting_url);
  if (start && (!tab.url || !samePage(tab.url, start))) await chrome.tabs.update(msg.tabId, { url: start, active: true });
  else await injectInto(msg.tabId);
}

function entryOf(run: RunState, stepId: number | null, r: StepReport | { status: RunOutcome; error_type?: StepReport['error_type']; error_message?: string | null; execution_time_ms?: number }): HealthLogEntry {
  const rep = r as StepReport;
  return {
    client_id: uuid(),
    run_id: run.runId,
    step_id: stepId,
    status: r.status,
    error_type: r.error_type ?? null,
    error_message: r.error_message?.slice(0, 2000) ?? null,
    healing_confidence: rep.healing_confidence ?? null,
    deterministic_score: rep.deterministic_score ?? null,
    ai_confidence: rep.ai_confidence ?? null,
    candidates_evaluated: rep.candidates_evaluated ?? null,
    page_state_hash: rep.page_state_hash ?? null,
    page_url: rep.page_url?.slice(0, 2048) ?? null,
    execution_time_ms: r.execution_time_ms === undefined || r.execution_time_ms === null ? null : Math.max(0, Math.round(r.execution_time_ms)),
  };
}

async function ownRun(runId: string): Promise<RunState | null> {
  const run = await getRun();
  return run && run.runId === runId ? run : null;
}

export async function stepDone(msg: RequestOf<'walk/step-done'>): Promise<void> {
  const run = await ownRun(msg.runId);
  const step = run?.steps[msg.index];
  if (!run || !step || run.finished) return;
  if (run.results[msg.index] === undefined || msg.index >= run.index) {
    run.results[msg.index] = msg.report.result;
    // A step skipped because its element was not found, reported by the user, counts as a failure.
    if (msg.report.result === 'skipped' && msg.report.error_type === 'element_not_found') {
      run.notFound = [...new Set([...(run.notFound ?? []), msg.index])];
    }
    // The colleague's own value stays here (in memory), out of the report.
    if (msg.value !== undefined || msg.report.result === 'skipped') {
      run.values = rememberValue(run.values, run.steps, msg.index, msg.report.result !== 'skipped' && typeof msg.value === 'string' ? msg.value : null);
    }
    await report(run.workflow.id, [entryOf(run, step.id, msg.report)]);
  }
  run.index = Math.max(0, Math.min(msg.next, run.steps.length));
  await saveRun(run);
  if (run.index >= run.steps.length) await finishRun(run.runId, outcomeOf(run));
}

export async function goTo(msg: RequestOf<'walk/go'>): Promise<void> {
  const run = await ownRun(msg.runId);
  if (!run || run.finished) return;
  run.index = Math.max(0, Math.min(msg.index, run.steps.length - 1));
  await saveRun(run);
}

export async function finishRun(runId: string, outcome: RunOutcome, stepReport?: StepReport, reported = false): Promise<void> {
  const run = await ownRun(runId);
  if (!run || run.finished) return;
  const entries: HealthLogEntry[] = [];
  const step = run.steps[run.index];
  if (stepReport && step) {
    run.results[run.index] = stepReport.result;
    entries.push(entryOf(run, step.id, stepReport));
  }
  const failedStep = run.results.findIndex((r) => r === 'failed');
  const notFound = run.notFound ?? [];
  let errorType: StepReport['error_type'] = null;
  let errorMessage: string | null = null;
  if (outcome === 'abandoned') errorType = 'user_abandoned';
  else if (outcome === 'failed') {
    errorType = 'element_not_found';
    errorMessage = failedStep >= 0 ? `Step ${failedStep + 1} could not be completed` : null;
  } else if (outcome === 'completed_with_skips' && notFound.length) {
    // The walk reached its end, but the app no longer has what these steps need.
    errorType = 'element_not_found';
    errorMessage = `Skipped, element not found: step ${notFound.map((i) => i + 1).join(', ')}`;
  }
  entries.push(entryOf(run, null, { status: outcome, error_type: errorType, error_message: errorMessage, execution_time_ms: Date.now() - run.startedAt }));
  run.finished = outcome;
  // A step skipped as not found was the user's report (the box on the card): the end card says so.
  run.reported = reported || notFound.length > 0;
  await saveRun(run);
  await report(run.workflow.id, entries);
  await flushHealth();
}

export async function closeRun(runId?: string): Promise<void> {
  const run = await getRun();
  if (!run || (runId && run.runId !== runId)) return;
  if (!run.finished) await finishRun(run.runId, 'abandoned');
  await saveRun(null);
  pushTo(run.tabId, { type: 'push/walkthrough-ended' });
}

/** A step's frame may take this long to load the recorded address before other evidence counts. */
const FRAME_SETTLE_MS = 2500;
/** After this long without the step's frame, the step is shown as not found. */
const FRAME_WAIT_MS = 8000;
const FRAME_POLL_MS = 250;
/** Decisions this worker is still waiting on (a restarted worker waits again when a frame says hello). */
const waiting = new Set<number>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function decide(tabId: number, active: WalkActive): Promise<WalkActive> {
  const prev = await getActive();
  const next = { ...active, seq: Math.max(Date.now(), (prev?.seq ?? 0) + 1, active.seq + 1) };
  await chrome.storage.session.set({ [ACTIVE_KEY]: next });
  pushTo(tabId, { type: 'push/walk-show', active: next });
  return next;
}

/**
 * Shows step `index` (or, past the last, the end): decides which frame holds its element and
 * tells every frame of the tab. Its frame not loaded yet: the step waits for it (frameId null),
 * and is shown as not found when it does not come.
 */
export async function show(tabId: number, msg: RequestOf<'walk/show'>): Promise<WalkActive | null> {
  let run = await ownRun(msg.runId);
  if (!run || run.tabId !== tabId) return null;
  const index = Math.max(0, Math.min(msg.index, run.steps.length));
  if (index >= run.steps.length && !run.finished) {
    await finishRun(run.runId, outcomeOf(run));
    run = (await ownRun(msg.runId)) ?? run;
  }
  const step = run.steps[index];
  let active: WalkActive = {
    runId: run.runId,
    index,
    frameId: 0,
    seq: 0,
    topIndex: null,
    topUrl: null,
    missing: false,
    results: run.results,
    finished: run.finished,
    reported: !!run.reported,
  };
  if (step && !run.finished && frameDepth(step) > 0) {
    const found = await stepFrame(tabId, step, false).catch(() => null);
    active = found ? { ...active, frameId: found.frameId, topIndex: found.topIndex, topUrl: found.topUrl } : { ...active, frameId: null };
  }
  active = await decide(tabId, active);
  if (active.frameId === null && step) void waitForFrame(tabId, active, step);
  return active;
}

async function waitForFrame(tabId: number, pending: WalkActive, step: GuideStep): Promise<void> {
  if (waiting.has(pending.seq)) return;
  waiting.add(pending.seq);
  const started = Date.now();
  try {
    while (Date.now() - started < FRAME_WAIT_MS) {
      await sleep(FRAME_POLL_MS);
      if ((await getActive())?.seq !== pending.seq) return; // another step was shown meanwhile
      const found = await stepFrame(tabId, step, Date.now() - started >= FRAME_SETTLE_MS).catch(() => null);
      if ((await getActive())?.seq !== pending.seq) return;
      if (found) {
        await decide(tabId, { ...pending, frameId: found.frameId, topIndex: found.topIndex, topUrl: found.topUrl });
        return;
      }
    }
    if ((await getActive())?.seq === pending.seq) await decide(tabId, { ...pending, frameId: 0, missing: true });
  } finally {
    waiting.delete(pending.seq);
  }
}

export async function openStart(runId: string): Promise<void> {
  const run = await ownRun(runId);
  if (!run) return;
  const start = webUrl(run.workflow.starting_url);
  if (start) await chrome.tabs.update(run.tabId, { url: start });
}

/** Asks the server which candidate is the step's element (with a fresh screenshot). */
export async function heal(tabId: number, msg: RequestOf<'walk/heal'>): Promise<AutoHealDecision | null> {
  const run = await ownRun(msg.runId);
  const step = run?.steps[msg.index];
  if (!run || !step || run.tabId !== tabId) return null;
  let screenshot: string | null = null;
  try {
    const tab = await chrome.tabs.get(tabId);
    const clean = cleanCapture && cleanCapture.tabId === tabId && Date.now() - cleanCapture.at < CLEAN_CAPTURE_MS ? cleanCapture.dataUrl : null;
    if (clean) screenshot = clean;
    else if (tab.active) screenshot = await captureQueue.enqueue({ windowId: tab.windowId });
  } catch (e) {
    await logError('heal', e);
  }
  try {
    const res = await call<AutoHealDecision>('POST', `/api/workflows/${run.workflow.id}/auto-heal`, {
      body: {
        step_id: step.id,
        candidates: msg.candidates.slice(0, 10),
        current_screenshot: screenshot,
        current_page_state_hash: msg.pageStateHash.slice(0, 128),
        page_url: msg.pageUrl.slice(0, 2048),
      },
    });
    return res.data;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) await logError('heal', e);
    return null;
  }
}

/**
 * The last capture taken with the overlay hidden (for the visual signal): the auto-heal request
 * that follows within seconds sends it to the AI instead of capturing the page under the overlay.
 */
let cleanCapture: { tabId: number; at: number; dataUrl: string } | null = null;
const CLEAN_CAPTURE_MS = 5000;

/** The step's recorded screenshot; its signed URL expires, so a refused one is signed again. */
async function recordedShot(run: RunState, index: number): Promise<Blob | null> {
  const base = (await getAuth())?.serverUrl ?? (await getServerUrl());
  const get = async (url: string) => {
    const res = await fetch(new URL(url, base), { credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(10_000) });
    return res.ok ? res.blob() : null;
  };
  const url = run.steps[index]?.screenshot_url;
  if (!url) return null;
  const blob = await get(url).catch(() => null);
  if (blob) return blob;
  const { data: detail } = await call<WorkflowDetail>('GET', `/api/workflows/${run.workflow.id}`);
  const fresh = detail.steps.find((s) => s.id === run.steps[index]!.id)?.screenshot?.url;
  return fresh ? get(fresh).catch(() => null) : null;
}

/** The visual signal: each candidate rect of the page now against the recorded element's crop. */
export async function visual(tabId: number, msg: RequestOf<'walk/visual'>): Promise<(number | null)[] | null> {
  const run = await ownRun(msg.runId);
  const step = run?.steps[msg.index];
  const box = step?.element_meta.bounding_box;
  const viewport = step?.page_context.viewport;
  if (!run || !step || run.tabId !== tabId || !box || !viewport?.width || !msg.rects.length) return null;
  try {
    const tab = await chrome.tabs.get(tabId);
    if (!tab.active) return null;
    const [shot, now] = await Promise.all([recordedShot(run, msg.index), captureQueue.enqueue({ windowId: tab.windowId })]);
    if (now) cleanCapture = { tabId, at: Date.now(), dataUrl: now };
    if (!shot || !now) return null;
    const [recorded, current] = await Promise.all([createImageBitmap(shot), createImageBitmap((await dataUrlToBlob(now)).blob)]);
    try {
      return compareCrops(recorded, box, viewport.width, current, msg.rects, msg.viewportWidth);
    } finally {
      recorded.close();
      current.close();
    }
  } catch (e) {
    await logError('visual', e);
    return null;
  }
}

/** Sends a user's answer about a candidate element; null when it could not be sent (offline). */
export async function vote(tabId: number, msg: RequestOf<'walk/vote'>): Promise<HealVoteResult | null> {
  const run = await ownRun(msg.runId);
  const step = run?.steps[msg.index];
  if (!run || !step || run.tabId !== tabId) return null;
  const v = msg.vote;
  const body: HealVoteRequest = {
    vote: v.vote,
    how: v.how,
    selector: v.selector.slice(0, 2000),
    selectors: v.selectors,
    element_meta: v.element_meta,
    page_state_hash: v.pageStateHash.slice(0, 128),
    page_url: v.pageUrl.slice(0, 2048),
    deterministic_score: v.score === null ? null : Math.max(0, Math.min(100, v.score)),
  };
  try {
    const res = await call<HealVoteResult>('POST', `/api/workflows/${run.workflow.id}/steps/${step.id}/heal-votes`, { body });
    return res.data;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) await logError('vote', e);
    return null;
  }
}

export async function runHello(tabId: number): Promise<{ run: RunState; active: WalkActive | null } | null> {
  const run = await getRun();
  if (!run || run.tabId !== tabId) return null;
  const got = await getActive();
  const active = got && got.runId === run.runId ? got : null;
  // Still waiting for a step's frame, and this worker was restarted since: a frame that loads may be it.
  if (active && active.frameId === null && !waiting.has(active.seq)) {
    const step = run.steps[active.index];
    if (step) void waitForFrame(tabId, active, step);
  }
  return { run, active };
}

export async function onTabRemoved(tabId: number): Promise<void> {
  const run = await getRun();
  if (run && run.tabId === tabId) {
    if (!run.finished) await finishRun(run.runId, 'abandoned');
    await saveRun(null);
  }
}
