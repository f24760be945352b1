// Upload on stop: screenshots first (each hash once; the server answers 200 for one it already
// has), then the workflow in one request. Every success is written down before the next request,
// so a partial upload resumes where it stopped. The workflow POST is the one request that cannot
// be repeated blindly: it carries an Idempotency-Key made when the upload was queued and kept with
// it, and its body is kept as first sent, so a try whose answer was lost (a dropped connection, a
// server node killed mid-request, the worker stopped) is answered by the server, not created twice.
import { linkValues } from '@stepwise/guide-core';
import { uuid } from '../shared/backoff';
import type { RecordedStep, Workflow, WorkflowCreateRequest } from '../shared/types';
import { ApiError } from './api.background';
import type { RecordingRecord, StepRecord } from './db.background';

/** The dom_context contract allows 16 KB per field; guide-core keeps them far smaller already. */
export const MAX_DOM_FIELD = 16_384;

/** The server keeps an Idempotency-Key 24 hours; past 23 the key alone is not trusted to dedupe. */
export const KEY_TRUSTED_MS = 23 * 3600_000;
export const KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

export interface UploadApi {
  uploadScreenshot(blob: Blob, hash: string): Promise<number>;
  /** POST /api/workflows: `body` is JSON sent as is, under the Idempotency-Key `key`. */
  createWorkflow(body: string, key: string): Promise<{ workflow_id: number }>;
  /** Workflows this user created with this name, newest first. */
  findWorkflows(name: string): Promise<Workflow[]>;
}

export interface UploadStore {
  getRecording(id: string): Promise<RecordingRecord | undefined>;
  updateRecording(id: string, change: (rec: RecordingRecord) => void): Promise<RecordingRecord | undefined>;
  listSteps(id: string): Promise<StepRecord[]>;
  getScreenshot(hash: string): Promise<{ blob: Blob } | undefined>;
}

export type Progress = (uploadedShots: number, totalShots: number) => void;

function clipDom(s: string | null | undefined): string | null {
  if (!s) return null;
  return s.length <= MAX_DOM_FIELD ? s : s.slice(0, MAX_DOM_FIELD);
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** The recorder's payload for POST /api/workflows, the steps numbered and their values linked. */
export function buildPayload(rec: RecordingRecord, steps: readonly StepRecord[]): WorkflowCreateRequest {
  const ordered = [...steps].sort((a, b) => a.seq - b.seq);
  // The server takes only http(s) page URLs: a step in an about:blank or srcdoc frame keeps the
  // page it was on before (the recording starts on an http(s) page), and is not lost.
  let pageUrl = rec.startingUrl;
  const out: RecordedStep[] = ordered.map((s, i) => {
    const shotId = s.screenshotHash ? rec.remoteShots[s.screenshotHash] : undefined;
    const dom = s.step.dom_context;
    if (isHttpUrl(s.step.page_context.url)) pageUrl = s.step.page_context.url;
    return {
      step_number: i + 1,
      timestamp: s.step.timestamp,
      action_type: s.step.action_type,
      selectors: s.step.selectors,
      element_meta: s.step.element_meta,
      page_context: { ...s.step.page_context, url: pageUrl },
      action_data: s.step.action_data,
      screenshot_ref: shotId && s.screenshotHash ? { id: shotId, hash: s.screenshotHash } : null,
      dom_context: dom ? { ...dom, element_html: clipDom(dom.element_html), parent_html: clipDom(dom.parent_html) } : null,
      expected_outcome: s.step.expected_outcome,
    };
  });
  return {
    metadata: { name: rec.name, description: rec.description || null, starting_url: rec.startingUrl },
    // A later step that shows a value typed earlier (the link to the page just created) points at
    // that step (value_from), so neither its label nor the walkthrough needs the recorder's value.
    steps: linkValues(out),
  };
}

/**
 * Uploads one stopped recording. Throws on failure (the caller decides about retrying); every
 * piece that succeeded is recorded first, so calling it again continues and never duplicates.
 */
export async function uploadRecording(id: string, api: UploadApi, store: UploadStore, progress: Progress = () => {}): Promise<number> {
  const rec = await store.getRecording(id);
  if (!rec) throw new Error(`Recording ${id} is gone`);
  if (rec.workflowId) return rec.workflowId;
  // Once sent, the body is what it was: a screenshot captured or uploaded since does not change
  // it, so every try under the key is the same request to the server.
  const body = rec.postBody ?? (await firstBody(id, rec, api, store, progress));
  let key = rec.idempotencyKey ?? uuid();

  // An earlier POST got no answer and the key does not cover it (it was sent without one, by an
  // older version, or the server may have forgotten the key): adopt what it stored, if anything.
  const covered = !!rec.postBody && !!rec.idempotencyKey && rec.postStartedAt !== null && Date.now() - rec.postStartedAt < KEY_TRUSTED_MS;
  if (rec.postStartedAt && !covered) {
    const twin = await findTwin(api, rec.name, (JSON.parse(body) as WorkflowCreateRequest).steps.length, rec.postStartedAt);
    if (twin) return settle(id, store, twin.id);
  }

  await store.updateRecording(id, (r) => {
    r.idempotencyKey = key;
    r.postBody = body;
    r.postStartedAt ??= Date.now();
  });
  let created: { workflow_id: number };
  try {
    created = await api.createWorkflow(body, key);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === KEY_REUSED)) throw e;
    // The server holds this key for another request: the body sent under it is not this one, so
    // nothing of ours was created with it. One new key; a second refusal is final (no loop).
    key = uuid();
    await store.updateRecording(id, (r) => {
      r.idempotencyKey = key;
      r.postStartedAt = Date.now();
    });
    created = await api.createWorkflow(body, key);
  }
  return settle(id, store, created.workflow_id);
}

/** Uploads the screenshots not up yet and serializes the payload that references them. */
async function firstBody(id: string, rec: RecordingRecord, api: UploadApi, store: UploadStore, progress: Progress): Promise<string> {
  const steps = await store.listSteps(id);
  if (!steps.length) throw new Error('Nothing was recorded: no steps to upload');
  const hashes = [...new Set(steps.map((s) => s.screenshotHash).filter((h): h is string => !!h))];
  let uploaded = hashes.filter((h) => rec.remoteShots[h]).length;
  progress(uploaded, hashes.length);
  for (const hash of hashes) {
    if (rec.remoteShots[hash]) continue;
    const shot = await store.getScreenshot(hash);
    if (!shot) continue; // lost (storage cleared): the step goes up without its image
    const remoteId = await api.uploadScreenshot(shot.blob, hash);
    rec.remoteShots[hash] = remoteId;
    await store.updateRecording(id, (r) => {
      r.remoteShots[hash] = remoteId;
    });
    uploaded++;
    progress(uploaded, hashes.length);
  }
  return JSON.stringify(buildPayload(rec, steps));
}

/** The workflow an unanswered POST may have stored. Ten minutes either side absorbs clock skew. */
async function findTwin(api: UploadApi, name: string, stepCount: number, postStartedAt: number): Promise<Workflow | undefined> {
  const since = postStartedAt - 10 * 60_000;
  return (await api.findWorkflows(name)).find((w) => w.name === name && w.step_count === stepCount && Date.parse(w.created_at) >= since);
}

async function settle(id: string, store: UploadStore, workflowId: number): Promise<number> {
  await store.updateRecording(id, (r) => {
    r.workflowId = workflowId;
    r.postStartedAt = null;
    r.postBody = null;
  });
  return workflowId;
}
