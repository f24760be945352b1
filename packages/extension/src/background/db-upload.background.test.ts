import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CapturedStep, Workflow, WorkflowCreateRequest } from '../shared/types';
import * as db from './db.background';
import { batches } from './health.background';
import { ApiError } from './api.background';
import { buildPayload, KEY_REUSED, KEY_TRUSTED_MS, MAX_DOM_FIELD, uploadRecording, type UploadApi } from './upload.background';

function recording(id: string, status: db.RecordingRecord['status'] = 'recording'): db.RecordingRecord {
  return {
    id, name: 'Create invoice', description: '', startingUrl: 'https://app.test/login', status, tabIds: [1], createdAt: Date.now(),
    nextSeq: 1, stepCount: 0, lastStepAt: null, remoteShots: {}, workflowId: null, idempotencyKey: null, postBody: null, postStartedAt: null, attempt: 0, nextAttemptAt: null, lastError: null,
  };
}

function step(clientId: string, over: Partial<CapturedStep> = {}): CapturedStep {
  return {
    client_id: clientId,
    timestamp: new Date().toISOString(),
    action_type: 'click',
    selectors: { primary: `#${clientId}`, css: null, xpath: null, data_testid: null, stable_attrs: null },
    element_meta: { tag_name: 'BUTTON' },
    page_context: { url: 'https://app.test/x', title: 'X', viewport: { width: 1, height: 1 }, page_state_hash: 'sha256:00' },
    action_data: null,
    dom_context: null,
    expected_outcome: null,
    ...over,
  };
}

beforeEach(async () => {
  await db.closeDb();
  // A fresh database per test.
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(db.DB_NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => resolve();
  });
});

describe('IndexedDB buffer', () => {
  it('numbers steps in arrival order and stores a re-sent step once', async () => {
    await db.putRecording(recording('r'));
    expect(await db.addStep('r', step('a'))).toMatchObject({ stored: true, seq: 1, stepCount: 1 });
    expect(await db.addStep('r', step('b'))).toMatchObject({ stored: true, seq: 2, stepCount: 2 });
    expect(await db.addStep('r', step('a'))).toMatchObject({ stored: false, reason: 'duplicate', stepCount: 2 });
    expect((await db.listSteps('r')).map((s) => s.clientId)).toEqual(['a', 'b']);
  });

  it('survives a restart of the worker (a new connection sees every step)', async () => {
    await db.putRecording(recording('r'));
    await db.addStep('r', step('a'));
    await db.closeDb();
    expect((await db.listSteps('r')).map((s) => s.seq)).toEqual([1]);
    expect(await db.addStep('r', step('b'))).toMatchObject({ stored: true, seq: 2 });
  });

  it('takes no steps while paused or stopped', async () => {
    await db.putRecording(recording('r', 'paused'));
    expect(await db.addStep('r', step('a'))).toMatchObject({ stored: false, reason: 'not_recording' });
    expect(await db.listSteps('r')).toEqual([]);
  });

  it('keeps identical screenshots once and prunes unused ones', async () => {
    await db.putRecording(recording('r'));
    await db.addStep('r', step('a'));
    await db.putScreenshot('sha256:1', new Blob(['x']));
    await db.putScreenshot('sha256:1', new Blob(['x']));
    await db.putScreenshot('sha256:2', new Blob(['y']));
    await db.updateStep('a', (s) => void (s.screenshotHash = 'sha256:1'));
    expect(await db.pruneScreenshots()).toBe(1);
    expect(await db.getScreenshot('sha256:1')).toBeTruthy();
    expect(await db.getScreenshot('sha256:2')).toBeUndefined();
  });
});

/** The server's side of the upload, POST /api/workflows with its Idempotency-Key included. */
class FakeApi implements UploadApi {
  shots: string[] = [];
  /** Every workflow POST as it came: the bytes and the key. */
  posts: { body: string; key: string }[] = [];
  /** Workflows stored. */
  existing: Workflow[] = [];
  keys = new Map<string, { body: string; workflowId: number }>();
  searches = 0;
  failShotAt = -1;
  /** The next POST is stored, then its answer is lost (a dropped connection, a killed node). */
  losePostAnswer = false;
  /** Every POST is refused as a reused key. */
  refuseKeys = false;
  async uploadScreenshot(_blob: Blob, hash: string) {
    if (this.shots.length === this.failShotAt) {
      this.failShotAt = -1;
      throw new Error('offline');
    }
    this.shots.push(hash);
    return 100 + this.shots.length;
  }
  async createWorkflow(body: string, key: string) {
    this.posts.push({ body, key });
    const seen = this.keys.get(key);
    if (this.refuseKeys || (seen && seen.body !== body)) throw new ApiError('This Idempotency-Key was used for another request', 422, KEY_REUSED);
    let id = seen?.workflowId;
    if (id === undefined) {
      const payload = JSON.parse(body) as WorkflowCreateRequest;
      id = 501 + this.existing.length;
      this.existing.push({ id, name: payload.metadata.name, step_count: payload.steps.length, created_at: new Date().toISOString() } as Workflow);
      this.keys.set(key, { body, workflowId: id });
    }
    if (this.losePostAnswer) {
      this.losePostAnswer = false;
      throw new Error('connection reset');
    }
    return { workflow_id: id };
  }
  async findWorkflows(name: string) {
    this.searches++;
    return this.existing.filter((w) => w.name === name);
  }
  /** The payload of the i-th POST. */
  sent(i: number): WorkflowCreateRequest {
    return JSON.parse(this.posts[i]!.body) as WorkflowCreateRequest;
  }
}

async function stoppedRecordingWith(hashes: (string | null)[], id = 'r') {
  await db.putRecording(recording(id));
  for (const [i, h] of hashes.entries()) {
    await db.addStep(id, step(`${id}-s${i}`));
    if (h) {
      await db.putScreenshot(h, new Blob([h]));
      await db.updateStep(`${id}-s${i}`, (s) => void (s.screenshotHash = h));
    }
  }
  await db.updateRecording(id, (r) => void (r.status = 'stopped'));
}

describe('upload', () => {
  it('uploads each screenshot once, before the workflow, and references them by id', async () => {
    await stoppedRecordingWith(['sha256:a', 'sha256:b', 'sha256:a', null]);
    const api = new FakeApi();
    const id = await uploadRecording('r', api, db);
    expect(id).toBe(501);
    expect(api.shots).toEqual(['sha256:a', 'sha256:b']);
    const body = api.sent(0);
    expect(body.steps.map((s) => s.step_number)).toEqual([1, 2, 3, 4]);
    expect(body.steps.map((s) => s.screenshot_ref?.id ?? null)).toEqual([101, 102, 101, null]);
    expect(body.metadata).toMatchObject({ name: 'Create invoice', starting_url: 'https://app.test/login' });
  });

  it('resumes a partial upload without uploading anything twice', async () => {
    await stoppedRecordingWith(['sha256:a', 'sha256:b', 'sha256:c']);
    const api = new FakeApi();
    api.failShotAt = 1; // the second image fails (offline)
    await expect(uploadRecording('r', api, db)).rejects.toThrow('offline');
    expect(api.posts).toHaveLength(0);
    await uploadRecording('r', api, db);
    expect(api.shots).toEqual(['sha256:a', 'sha256:b', 'sha256:c']);
    expect(api.posts).toHaveLength(1);
    // Once done, calling again changes nothing.
    expect(await uploadRecording('r', api, db)).toBe(501);
    expect(api.posts).toHaveLength(1);
  });

  it('sends one Idempotency-Key and the same bytes on every try: a lost answer is replayed, not created twice, across a worker restart', async () => {
    await stoppedRecordingWith(['sha256:a', null]);
    const api = new FakeApi();
    api.losePostAnswer = true;
    await expect(uploadRecording('r', api, db)).rejects.toThrow('connection reset');
    const kept = (await db.getRecording('r'))!;
    expect(kept.idempotencyKey).toBe(api.posts[0]!.key);
    expect(kept.postBody).toBe(api.posts[0]!.body);
    await db.closeDb(); // the worker is stopped and started again: only IndexedDB remains
    expect(await uploadRecording('r', api, db)).toBe(501);
    expect(api.posts).toHaveLength(2);
    expect(api.posts[1]).toEqual(api.posts[0]);
    expect(api.existing).toHaveLength(1);
    expect(api.searches).toBe(0); // the key does it: no search for a twin
    const done = (await db.getRecording('r'))!;
    expect(done).toMatchObject({ workflowId: 501, postBody: null, postStartedAt: null });
  });

  it('keeps the body as first sent: a screenshot that arrives after the first try does not change it', async () => {
    await stoppedRecordingWith(['sha256:a', null]);
    const api = new FakeApi();
    api.losePostAnswer = true;
    await expect(uploadRecording('r', api, db)).rejects.toThrow('connection reset');
    // The capture of the second step finished late (after the drain).
    await db.putScreenshot('sha256:late', new Blob(['late']));
    await db.updateStep('r-s1', (s) => void (s.screenshotHash = 'sha256:late'));
    await uploadRecording('r', api, db);
    expect(api.posts[1]!.body).toBe(api.posts[0]!.body);
    expect(api.shots).toEqual(['sha256:a']);
    expect(api.existing).toHaveLength(1);
  });

  it('gives each upload its own key', async () => {
    await stoppedRecordingWith([null], 'r1');
    await stoppedRecordingWith([null], 'r2');
    const api = new FakeApi();
    await uploadRecording('r1', api, db);
    await uploadRecording('r2', api, db);
    expect(api.posts[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.posts[1]!.key).not.toBe(api.posts[0]!.key);
    expect(api.existing).toHaveLength(2);
  });

  it('uses the key made when the upload was queued', async () => {
    await stoppedRecordingWith([null]);
    await db.updateRecording('r', (r) => void (r.idempotencyKey = 'queued-key-0001'));
    const api = new FakeApi();
    await uploadRecording('r', api, db);
    expect(api.posts.map((p) => p.key)).toEqual(['queued-key-0001']);
  });

  it('makes a new key once when the server holds the key for another body (422), and never loops', async () => {
    await stoppedRecordingWith([null]);
    await db.updateRecording('r', (r) => void (r.idempotencyKey = 'used-key-0001'));
    const api = new FakeApi();
    api.keys.set('used-key-0001', { body: '{"another":"request"}', workflowId: 999 });
    expect(await uploadRecording('r', api, db)).toBe(501);
    expect(api.posts.map((p) => p.key)).toEqual(['used-key-0001', api.posts[1]!.key]);
    expect(api.posts[1]!.key).not.toBe('used-key-0001');
    expect(api.posts[1]!.body).toBe(api.posts[0]!.body);
    expect(api.existing).toHaveLength(1);

    // Refused again with the new key: that answer is final.
    await stoppedRecordingWith([null], 'r2');
    const refusing = new FakeApi();
    refusing.refuseKeys = true;
    const err = await uploadRecording('r2', refusing, db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(KEY_REUSED);
    expect((err as ApiError).retryable).toBe(false);
    expect(refusing.posts).toHaveLength(2);
    // The record keeps the new key: a retry the user asks for starts from it.
    expect((await db.getRecording('r2'))!.idempotencyKey).toBe(refusing.posts[1]!.key);
  });

  it('adopts the workflow a POST sent without a key (an older version) created instead of posting a twin', async () => {
    await stoppedRecordingWith(['sha256:a']);
    const api = new FakeApi();
    api.existing.push({ id: 777, name: 'Create invoice', step_count: 1, created_at: new Date().toISOString() } as Workflow);
    await db.updateRecording('r', (r) => void (r.postStartedAt = Date.now() - 1000));
    expect(await uploadRecording('r', api, db)).toBe(777);
    expect(api.posts).toHaveLength(0);
  });

  it('looks for the twin when the first try under the key is older than the server keeps keys', async () => {
    await stoppedRecordingWith([null]);
    const api = new FakeApi();
    api.losePostAnswer = true;
    await expect(uploadRecording('r', api, db)).rejects.toThrow('connection reset');
    const day = KEY_TRUSTED_MS + 3600_000;
    await db.updateRecording('r', (r) => void (r.postStartedAt = Date.now() - day));
    api.existing[0]!.created_at = new Date(Date.now() - day).toISOString();
    api.keys.clear(); // the server forgot the key
    expect(await uploadRecording('r', api, db)).toBe(501);
    expect(api.searches).toBe(1);
    expect(api.posts).toHaveLength(1);
  });

  it('refuses to upload an empty recording', async () => {
    await db.putRecording(recording('r', 'stopped'));
    await expect(uploadRecording('r', new FakeApi(), db)).rejects.toThrow(/no steps/);
  });

  it('bounds dom_context to the contract', () => {
    const rec = recording('r');
    const big = 'x'.repeat(MAX_DOM_FIELD + 10);
    const payload = buildPayload(rec, [{ clientId: 'a', recordingId: 'r', seq: 1, screenshotHash: null, screenshotMissing: true, step: step('a', { dom_context: { element_html: big, parent_html: null } }) }]);
    expect(payload.steps[0]!.dom_context!.element_html!.length).toBe(MAX_DOM_FIELD);
  });

  it('gives a step on a non-http page (about:srcdoc, about:blank) the page it was on, so the server takes it', () => {
    const rec = recording('r');
    const at = (url: string) => ({ url, title: null, viewport: { width: 1, height: 1 }, page_state_hash: null });
    const rows = [
      step('a', { page_context: at('about:blank') }),
      step('b', { page_context: at('https://app.test/orders') }),
      step('c', { page_context: at('about:srcdoc') }),
      step('d', { page_context: at('javascript:alert(1)') }),
    ].map((s, i) => ({ clientId: s.client_id, recordingId: 'r', seq: i + 1, screenshotHash: null, screenshotMissing: true, step: s }));
    const urls = buildPayload(rec, rows).steps.map((s) => s.page_context.url);
    expect(urls).toEqual(['https://app.test/login', 'https://app.test/orders', 'https://app.test/orders', 'https://app.test/orders']);
  });

  it('links a later step to the free value it shows (value_from), numbered as sent; a plain field whose value reappears becomes free', () => {
    const rec = recording('r');
    const typed = (id: string, value: string, kind: 'personal' | 'free' | 'fixed') =>
      step(id, {
        action_type: 'input_commit',
        element_meta: { tag_name: 'INPUT', type: 'text' },
        action_data: { input_value: value, value_masked: null, click_coordinates: null, value_kind: kind },
      });
    const rows = [
      typed('user', 'ada', 'personal'),
      typed('title', 'Q3 Report', 'free'),
      typed('code', 'WINTER-10', 'fixed'),
      step('save', { element_meta: { tag_name: 'BUTTON', inner_text: 'Save' } }),
      step('open', { element_meta: { tag_name: 'A', inner_text: 'Q3 Report', href: '/pages/q3-report' } }),
      step('ada', { element_meta: { tag_name: 'A', inner_text: 'Profile of ada' } }),
      step('apply', { element_meta: { tag_name: 'SPAN', inner_text: 'Code winter-10 applied' } }),
    ].map((s, i) => ({ clientId: s.client_id, recordingId: 'r', seq: i + 1, screenshotHash: null, screenshotMissing: true, step: s }));
    const steps = buildPayload(rec, rows.reverse()).steps;
    expect(steps.map((s) => s.step_number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps.map((s) => s.action_data?.value_from ?? null)).toEqual([null, null, null, null, 2, null, 3]);
    expect(steps.map((s) => s.action_data?.value_kind ?? null)).toEqual(['personal', 'free', 'free', null, null, null, null]);
  });
});

describe('health outbox', () => {
  it('batches per workflow, at most 200 entries each, oldest first', async () => {
    const rec = (i: number, workflowId: number): db.OutboxRecord => ({
      clientId: `c${i}`,
      workflowId,
      createdAt: i,
      entry: { client_id: `c${i}`, run_id: 'run-00001', step_id: null, status: 'success' },
    });
    const records = [...Array.from({ length: 450 }, (_, i) => rec(i, 1)), rec(1000, 2)];
    await db.enqueueHealth(records);
    const got = batches(await db.listOutbox());
    expect(got.map((b) => [b.workflowId, b.entries.length])).toEqual([[1, 200], [1, 200], [1, 50], [2, 1]]);
    expect(got[0]!.clientIds[0]).toBe('c0');
    await db.removeOutbox(got[0]!.clientIds);
    expect((await db.listOutbox()).length).toBe(251);
  });
});
