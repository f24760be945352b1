// Upload on stop: screenshots first (each hash once; the server answers 200 for one it already
// has), then the workflow in one request. Every success is written down before the next request,
// so a partial upload resumes where it stopped. The workflow POST is the one request that cannot
// be repeated blindly: if an earlier try got no answer, the next one first looks for the workflow
// it may have created.
import { linkValues } from '@stepwise/guide-core';
import type { RecordedStep, Workflow, WorkflowCreateRequest } from '../shared/types';
import type { RecordingRecord, StepRecord } from './db.background';

/** The dom_context contract allows 16 KB per field; guide-core keeps them far smaller already. */
export const MAX_DOM_FIELD = 16_384;

export interface UploadApi {
  uploadScreenshot(blob: Blob, hash: string): Promise<number>;
  createWorkflow(body: WorkflowCreateRequest): Promise<{ workflow_id: number }>;
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

  const payload = buildPayload(rec, steps);
  if (rec.postStartedAt) {
    // A previous POST got no answer: it may have been stored. Adopt it rather than make a twin.
    // Ten minutes either side absorbs clock skew between this machine and the server.
    const since = rec.postStartedAt - 10 * 60_000;
    const twin = (await api.findWorkflows(rec.name)).find(
      (w) => w.name === rec.name && w.step_count === payload.steps.length && Date.parse(w.created_at) >= since,
    );
    if (twin) {
      await store.updateRecording(id, (r) => {
        r.workflowId = twin.id;
        r.postStartedAt = null;
      });
      return twin.id;
    }
  }
  const startedAt = Date.now();
  await store.updateRecording(id, (r) => {
    r.postStartedAt = startedAt;
  });
  const created = await api.createWorkflow(payload);
  await store.updateRecording(id, (r) => {
    r.workflowId = created.workflow_id;
    r.postStartedAt = null;
  });
  return created.workflow_id;
}
