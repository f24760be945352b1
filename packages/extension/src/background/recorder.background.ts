// Recording in the service worker: the state is in IndexedDB (the worker may be stopped at any
// moment and started again by the next message), steps are stored the moment they arrive, the
// screenshot follows through the rate-limited capture queue, and stop starts the upload.
import { backoffMs, uuid } from '../shared/backoff';
import { logError, messageOf } from '../shared/errors';
import type { FrameSelf, HelloResponse, RequestOf } from '../shared/messages';
import type { CapturedStep, RecordingView, Workflow } from '../shared/types';
import { ApiError, call, getAuth } from './api.background';
import { CaptureQueue, dataUrlToBlob } from './capture.background';
import { ensureContentScripts, injectInto, pushTo } from './content-scripts.background';
import * as db from './db.background';
import { framePlace } from './frames.background';
import { uploadRecording, type UploadApi } from './upload.background';

const ACTIVE_KEY = 'activeRecordingId';
/** A full page load this soon after a click or submit is that step's outcome, not a new step. */
export const NAVIGATION_FOLLOWS_STEP_MS = 3000;

export const captureQueue = new CaptureQueue({
  capture: (windowId) => chrome.tabs.captureVisibleTab(windowId, { format: 'jpeg', quality: 60 }),
  onError: (message) => void logError('capture', message),
});

export async function activeRecording(): Promise<db.RecordingRecord | null> {
  const got = await chrome.storage.local.get(ACTIVE_KEY);
  const id = got[ACTIVE_KEY] as string | undefined;
  if (!id) return null;
  const rec = await db.getRecording(id);
  return rec && (rec.status === 'recording' || rec.status === 'paused') ? rec : null;
}

async function shotCount(id: string): Promise<number> {
  const steps = await db.listSteps(id);
  return new Set(steps.map((s) => s.screenshotHash).filter(Boolean)).size;
}

export async function view(rec: db.RecordingRecord): Promise<RecordingView> {
  return db.viewOf(rec, await shotCount(rec.id));
}

function broadcast(rec: db.RecordingRecord, msg: unknown): void {
  for (const tabId of rec.tabIds) pushTo(tabId, msg);
}

export async function startRecording(msg: RequestOf<'recording/start'>): Promise<RecordingView> {
  const auth = await getAuth();
  if (!auth) throw new Error('Sign in first.');
  if (auth.user.role !== 'admin') throw new Error('Only admins can record workflows.');
  if (await activeRecording()) throw new Error('A recording is already running. Stop it first.');
  const name = msg.name.trim();
  if (!name) throw new Error('Give the workflow a name.');
  const tab = await chrome.tabs.get(msg.tabId);
  if (!tab.url || !/^https?:/.test(tab.url)) throw new Error('Open the web app to record in this tab first.');
  const rec: db.RecordingRecord = {
    id: uuid(),
    name: name.slice(0, 200),
    description: msg.description.trim().slice(0, 5000),
    startingUrl: tab.url,
    status: 'recording',
    tabIds: [msg.tabId],
    createdAt: Date.now(),
    nextSeq: 1,
    stepCount: 0,
    lastStepAt: null,
    remoteShots: {},
    workflowId: null,
    idempotencyKey: null,
    postBody: null,
    postStartedAt: null,
    attempt: 0,
    nextAttemptAt: null,
    lastError: null,
  };
  await db.putRecording(rec);
  await chrome.storage.local.set({ [ACTIVE_KEY]: rec.id });
  await ensureContentScripts();
  await injectInto(msg.tabId);
  await chrome.action.setBadgeBackgroundColor({ color: '#dc2626' });
  await chrome.action.setBadgeText({ text: 'REC' });
  return view(rec);
}

/** What a content script in frame `frameId` of `tabId` should do now that its page loaded. */
export async function recordingHello(tabId: number, msg: RequestOf<'content/hello'>, frameId = 0): Promise<HelloResponse | null> {
  const rec = await activeRecording();
  if (!rec || !rec.tabIds.includes(tabId)) return null;
  // A frame loading a document is the outcome of a step (a link aimed at the frame), not one.
  if (frameId !== 0) return { mode: 'recording', paused: rec.status === 'paused', stepCount: rec.stepCount, recordNavigation: false };
  let recordNavigation = false;
  if (rec.status === 'recording' && rec.stepCount > 0 && msg.navigationType !== 'reload') {
    const steps = await db.listSteps(rec.id);
    const last = steps[steps.length - 1];
    const recent = rec.lastStepAt !== null && Date.now() - rec.lastStepAt < NAVIGATION_FOLLOWS_STEP_MS;
    if (last && recent && (last.step.action_type === 'click' || last.step.action_type === 'submit')) {
      // The click or submit loaded this page: that is its expected outcome.
      await db.updateStep(last.clientId, (s) => {
        s.step.expected_outcome = {
          ...(s.step.expected_outcome ?? { appeared: [], disappeared: [], value: null }),
          navigation: { url: msg.url.slice(0, 2048), url_shape: msg.urlShape.slice(0, 2048), same_document: false },
        };
      });
    } else if (!last || last.step.page_context.url !== msg.url) {
      recordNavigation = true;
    }
  }
  return { mode: 'recording', paused: rec.status === 'paused', stepCount: rec.stepCount, recordNavigation };
}

/** Who sent a step: the tab, its window, and the browser's id of the frame and document. */
export interface StepSender {
  tabId: number;
  windowId: number | undefined;
  frameId: number;
  documentId?: string;
}

export async function addStep(from: StepSender, step: CapturedStep, frame?: FrameSelf): Promise<{ stored: boolean; stepCount: number }> {
  const { tabId, windowId } = from;
  const rec = await activeRecording();
  if (!rec || !rec.tabIds.includes(tabId)) return { stored: false, stepCount: 0 };
  if (from.frameId !== 0) step = await placeInFrame(from, step, frame);
  // Steps of every frame are numbered here, in the order they arrive.
  const res = await db.addStep(rec.id, step);
  if (res.stored) {
    broadcast(rec, { type: 'push/recording', paused: false, stepCount: res.stepCount });
    // Not awaited: the step is safe in IndexedDB; its screenshot follows when the queue allows.
    const pending = captureFor(tabId, windowId, step.client_id).finally(() => pendingCaptures.delete(pending));
    pendingCaptures.add(pending);
  }
  return { stored: res.stored, stepCount: res.stepCount };
}

/**
 * A step recorded in a child frame: where that frame is (its iframes' selectors and addresses)
 * is established here from the sender's frameId, whatever the step says about it.
 */
async function placeInFrame(from: StepSender, step: CapturedStep, frame?: FrameSelf): Promise<CapturedStep> {
  const indexPath = Array.isArray(frame?.indexPath) ? frame.indexPath.filter((n) => Number.isInteger(n)).slice(0, 10) : [];
  const own = step.selectors.frame_path ?? null;
  const place = await framePlace(from.tabId, from.frameId, from.documentId, indexPath, own);
  const selectors = { ...step.selectors };
  if (place) {
    selectors.frame_path = place.frame_path.slice(0, 10);
    selectors.frame_urls = place.frame_urls.slice(0, 10);
    selectors.frame_index = place.frame_index && place.frame_index.length <= 10 ? place.frame_index : null;
  } else {
    // The frame went away before it could be placed: what the frame could read itself (its
    // same-origin ancestors) stays.
    await logError('frames', `step from frame ${from.frameId} of tab ${from.tabId} could not be placed`);
  }
  return { ...step, selectors };
}

/** Captures still in the queue: stop waits for them, so the last steps keep their screenshots. */
const pendingCaptures = new Set<Promise<void>>();
const CAPTURE_DRAIN_MS = 15_000;

async function drainCaptures(): Promise<void> {
  if (!pendingCaptures.size) return;
  await Promise.race([Promise.allSettled([...pendingCaptures]), new Promise((r) => setTimeout(r, CAPTURE_DRAIN_MS))]);
}

/** The last captures' timings (read by the end-to-end test and the bench). */
export const captureLog: { clientId: string; queuedAt: number; startedAt?: number; doneAt?: number; hash?: string | null }[] = [];
(globalThis as { __stepwiseCaptureLog?: typeof captureLog }).__stepwiseCaptureLog = captureLog;

async function captureFor(tabId: number, windowId: number | undefined, clientId: string): Promise<void> {
  const entry: (typeof captureLog)[number] = { clientId, queuedAt: Date.now() };
  captureLog.push(entry);
  if (captureLog.length > 50) captureLog.shift();
  try {
    const tab = await chrome.tabs.get(tabId);
    // captureVisibleTab shows the window's active tab: a background tab would give the wrong image.
    if (!tab.active) await logError('capture', `tab ${tabId} is not the active tab: step saved without a screenshot`);
    const dataUrl = tab.active ? await captureQueue.enqueue({ windowId: windowId ?? tab.windowId }) : null;
    if (!dataUrl) {
      await db.updateStep(clientId, (s) => {
        s.screenshotMissing = true;
      });
      return;
    }
    const { blob, hash } = await dataUrlToBlob(dataUrl);
    entry.doneAt = Date.now();
    entry.hash = hash;
    await db.putScreenshot(hash, blob);
    await db.updateStep(clientId, (s) => {
      s.screenshotHash = hash;
    });
  } catch (e) {
    await logError('capture', e);
  }
}

export async function patchOutcome(tabId: number, clientId: string, outcome: CapturedStep['expected_outcome']): Promise<void> {
  const step = await db.getStep(clientId);
  const rec = step && (await db.getRecording(step.recordingId));
  if (!step || !rec || !rec.tabIds.includes(tabId)) return;
  await db.updateStep(clientId, (s) => {
    // A full page load recorded meanwhile (navigation with same_document false) wins.
    const nav = s.step.expected_outcome?.navigation;
    s.step.expected_outcome = { ...outcome, navigation: nav && nav.same_document === false ? nav : outcome?.navigation ?? null };
  });
}

export async function setPaused(paused: boolean): Promise<void> {
  const rec = await activeRecording();
  if (!rec) return;
  const updated = await db.updateRecording(rec.id, (r) => {
    r.status = paused ? 'paused' : 'recording';
  });
  if (updated) broadcast(updated, { type: 'push/recording', paused, stepCount: updated.stepCount });
  await chrome.action.setBadgeText({ text: paused ? 'II' : 'REC' });
}

export async function stopRecording(): Promise<RecordingView | null> {
  const rec = await activeRecording();
  if (!rec) return null;
  const updated = await db.updateRecording(rec.id, queueUpload);
  await chrome.storage.local.remove(ACTIVE_KEY);
  await chrome.action.setBadgeText({ text: '' });
  broadcast(rec, { type: 'push/recording-ended' });
  void runUpload(rec.id);
  return updated ? view(updated) : null;
}

/** A tab opened from a recording tab (a link with target=_blank, window.open) is recorded too. */
export async function adoptTab(tab: chrome.tabs.Tab): Promise<void> {
  if (tab.id === undefined || tab.openerTabId === undefined) return;
  const rec = await activeRecording();
  if (!rec || !rec.tabIds.includes(tab.openerTabId) || rec.tabIds.includes(tab.id)) return;
  const id = tab.id;
  await db.updateRecording(rec.id, (r) => {
    if (!r.tabIds.includes(id)) r.tabIds.push(id);
  });
}

// ---- upload

/** Stopped and due for upload, with the Idempotency-Key every try of its workflow POST sends. */
export function queueUpload(r: db.RecordingRecord): void {
  r.status = 'stopped';
  r.nextAttemptAt = Date.now();
  r.idempotencyKey ??= uuid();
}

const uploadApi: UploadApi = {
  async uploadScreenshot(blob, hash) {
    const form = new FormData();
    form.set('image_hash', hash);
    form.set('image', blob, `step.${blob.type === 'image/png' ? 'png' : 'jpg'}`);
    const res = await call<{ screenshot_id: number }>('POST', '/api/screenshots', { form });
    return res.data.screenshot_id;
  },
  async createWorkflow(json, idempotencyKey) {
    const res = await call<{ workflow_id: number }>('POST', '/api/workflows', { json, idempotencyKey });
    return res.data;
  },
  async findWorkflows(name) {
    const auth = await getAuth();
    const res = await call<Workflow[]>('GET', '/api/workflows', { query: { q: name.slice(0, 200), created_by: auth?.user.id, sort: '-created_at', limit: 20 } });
    return res.data;
  },
};

const uploading = new Set<string>();
let retryTimer: ReturnType<typeof setTimeout> | undefined;

export async function runUpload(id: string): Promise<void> {
  if (uploading.has(id)) return;
  uploading.add(id);
  try {
    await db.updateRecording(id, (r) => {
      r.status = 'uploading';
      r.lastError = null;
    });
    await drainCaptures();
    const workflowId = await uploadRecording(id, uploadApi, db);
    await db.updateRecording(id, (r) => {
      r.status = 'uploaded';
      r.workflowId = workflowId;
      r.nextAttemptAt = null;
      r.attempt = 0;
    });
    // Uploaded: the buffered steps and images are on the server now; the record stays as a receipt.
    await db.deleteSteps(id);
    await db.pruneScreenshots();
  } catch (e) {
    const retryable = !(e instanceof ApiError) || e.retryable;
    const rec = await db.updateRecording(id, (r) => {
      r.attempt += 1;
      r.lastError = messageOf(e);
      r.status = retryable ? 'stopped' : 'failed';
      r.nextAttemptAt = retryable ? Date.now() + backoffMs(r.attempt) : null;
    });
    await logError('upload', e);
    if (retryable && rec?.nextAttemptAt) scheduleRetry(rec.nextAttemptAt - Date.now());
  } finally {
    uploading.delete(id);
  }
}

function scheduleRetry(ms: number): void {
  clearTimeout(retryTimer);
  // While the worker lives this fires; if it is stopped, the periodic alarm resumes the upload.
  retryTimer = setTimeout(() => void resumeUploads(), Math.max(100, ms));
}

/** Uploads that are due: after a failure's backoff, after a worker restart or a browser crash. */
export async function resumeUploads(force = false): Promise<void> {
  for (const rec of await db.listRecordings()) {
    if (rec.status !== 'stopped' && rec.status !== 'uploading') continue;
    if (!force && rec.nextAttemptAt !== null && rec.nextAttemptAt > Date.now()) {
      scheduleRetry(rec.nextAttemptAt - Date.now());
      continue;
    }
    await runUpload(rec.id);
  }
}

/** After a browser restart, a recording that was running is finished and uploaded. */
export async function recoverAfterRestart(): Promise<void> {
  for (const rec of await db.listRecordings()) {
    if (rec.status === 'recording' || rec.status === 'paused') {
      await db.updateRecording(rec.id, queueUpload);
    }
  }
  await chrome.storage.local.remove(ACTIVE_KEY);
  await chrome.action.setBadgeText({ text: '' });
}
