import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CapturedStep } from '../shared/types';

// The recorder's upload through the real HTTP client, against a fetch that keeps what a server
// would: a workflow POST whose answer is lost, sent again after the service worker was stopped and
// started (the modules loaded afresh, only IndexedDB left), must carry the same Idempotency-Key
// and the same bytes, so the server answers it with the workflow it already made.
const BASE = 'https://stepwise.test';
const local: Record<string, unknown> = {};

vi.stubGlobal('chrome', {
  storage: {
    local: {
      get: async (key: string | string[]) => Object.fromEntries((Array.isArray(key) ? key : [key]).map((k) => [k, local[k]])),
      set: async (items: Record<string, unknown>) => void Object.assign(local, items),
      remove: async (key: string) => void delete local[key],
    },
  },
  action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
  tabs: { sendMessage: async () => undefined },
});
vi.spyOn(console, 'warn').mockImplementation(() => {});

interface Sent {
  method: string;
  path: string;
  key: string | null;
  body: string | null;
}

/** The server's side: screenshots, workflows, and each Idempotency-Key's first answer. */
class FakeServer {
  sent: Sent[] = [];
  workflows: { id: number; name: string }[] = [];
  replays = 0;
  private keys = new Map<string, { body: string | null; answer: string }>();
  /** The next workflow POST never reaches the server. */
  offlineOnce = false;
  /** The next workflow POST is stored, then its answer is lost. */
  dropAnswerOnce = false;

  fetch = async (input: URL | string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const key = new Headers(init.headers).get('Idempotency-Key');
    const body = typeof init.body === 'string' ? init.body : null;
    this.sent.push({ method, path: url.pathname, key, body });
    const json = (status: number, data: unknown, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json', ...headers } });
    if (method === 'POST' && url.pathname === '/api/screenshots') return json(201, { data: { screenshot_id: 41 }, meta: {} });
    if (method === 'GET' && url.pathname === '/api/workflows') return json(200, { data: [], meta: {} });
    if (method !== 'POST' || url.pathname !== '/api/workflows') return json(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    if (this.offlineOnce) {
      this.offlineOnce = false;
      throw new TypeError('Failed to fetch');
    }
    const seen = key ? this.keys.get(key) : undefined;
    if (seen && seen.body !== body) return json(422, { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'another request' } });
    if (seen) {
      this.replays++;
      return new Response(seen.answer, { status: 201, headers: { 'Content-Type': 'application/json', 'Idempotency-Replayed': 'true' } });
    }
    const id = 900 + this.workflows.length;
    this.workflows.push({ id, name: (JSON.parse(body ?? '{}') as { metadata: { name: string } }).metadata.name });
    const answer = JSON.stringify({ data: { workflow_id: id }, meta: {} });
    if (key) this.keys.set(key, { body, answer });
    if (this.dropAnswerOnce) {
      this.dropAnswerOnce = false;
      throw new TypeError('Failed to fetch');
    }
    return new Response(answer, { status: 201, headers: { 'Content-Type': 'application/json' } });
  };

  posts(): Sent[] {
    return this.sent.filter((s) => s.method === 'POST' && s.path === '/api/workflows');
  }
}

let server: FakeServer;

/** A service worker started afresh: its modules loaded again, nothing kept but IndexedDB. */
async function startWorker() {
  vi.resetModules();
  const db = await import('./db.background');
  const recorder = await import('./recorder.background');
  return { db, recorder };
}
type Worker = Awaited<ReturnType<typeof startWorker>>;

function step(id: string): CapturedStep {
  return {
    client_id: id,
    timestamp: '2025-01-01T00:00:00.000Z',
    action_type: 'click',
    selectors: { primary: `#${id}`, css: null, xpath: null, data_testid: null, stable_attrs: null },
    element_meta: { tag_name: 'BUTTON' },
    page_context: { url: 'https://app.test/x', title: 'X', viewport: { width: 1, height: 1 }, page_state_hash: 'sha256:00' },
    action_data: null,
    dom_context: null,
    expected_outcome: null,
  };
}

/** A recording in progress, two steps (one with its screenshot), the active one. */
async function recording(w: Worker, id: string): Promise<void> {
  await w.db.putRecording({
    id, name: `Create invoice ${id}`, description: '', startingUrl: 'https://app.test/login', status: 'recording', tabIds: [1], createdAt: Date.now(),
    nextSeq: 1, stepCount: 0, lastStepAt: null, remoteShots: {}, workflowId: null, idempotencyKey: null, postBody: null, postStartedAt: null,
    attempt: 0, nextAttemptAt: null, lastError: null,
  });
  await w.db.addStep(id, step(`${id}-a`));
  await w.db.addStep(id, step(`${id}-b`));
  await w.db.putScreenshot('sha256:shot', new Blob(['jpeg']));
  await w.db.updateStep(`${id}-a`, (s) => void (s.screenshotHash = 'sha256:shot'));
  local.activeRecordingId = id;
}

/** Stop & upload, as the popup does; resolves once that upload try has ended. */
async function stopAndUpload(w: Worker, id: string) {
  await w.recorder.stopRecording();
  return vi.waitFor(async () => {
    const rec = await w.db.getRecording(id);
    if (!rec || rec.status === 'uploading' || (rec.status === 'stopped' && rec.attempt === 0)) throw new Error(`still uploading: ${rec?.status}`);
    return rec;
  });
}

beforeEach(async () => {
  // The recorder's own retry timer stays still: each try here is the test's.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  server = new FakeServer();
  vi.stubGlobal('fetch', server.fetch);
  for (const k of Object.keys(local)) delete local[k];
  local.auth = { serverUrl: BASE, token: 'token-1', user: { id: 1, email: 'ada@acme.test', name: 'Ada', role: 'admin' }, company: null };
  const w = await startWorker();
  await w.db.closeDb();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(w.db.DB_NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => resolve();
  });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the workflow upload under an Idempotency-Key', () => {
  it('a POST whose answer was lost is sent again after a worker restart with the same key and bytes: one workflow', async () => {
    let w = await startWorker();
    await recording(w, 'rec-1');
    server.dropAnswerOnce = true;
    const failed = await stopAndUpload(w, 'rec-1');
    expect(failed).toMatchObject({ status: 'stopped', attempt: 1, workflowId: null });
    expect(failed.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.workflows).toHaveLength(1); // stored; the extension never heard
    expect(vi.getTimerCount()).toBe(1); // its retry, which the restart below forgets

    await w.db.closeDb();
    w = await startWorker();
    await w.recorder.resumeUploads(true);
    const done = await w.db.getRecording('rec-1');
    expect(done).toMatchObject({ status: 'uploaded', workflowId: 900, postBody: null });

    const posts = server.posts();
    expect(posts).toHaveLength(2);
    expect(posts[1]).toEqual(posts[0]);
    expect(posts[0]!.key).toBe(failed.idempotencyKey);
    expect(JSON.parse(posts[0]!.body!).steps.map((s: { screenshot_ref: { id: number } | null }) => s.screenshot_ref?.id ?? null)).toEqual([41, null]);
    expect(server.replays).toBe(1);
    expect(server.workflows).toHaveLength(1);
    // The screenshot went up once, and no search for a twin was needed.
    expect(server.sent.filter((s) => s.path === '/api/screenshots')).toHaveLength(1);
    expect(server.sent.filter((s) => s.method === 'GET')).toHaveLength(0);
  });

  it('a POST that never reached the server is sent again with its key and creates the workflow once', async () => {
    const w = await startWorker();
    await recording(w, 'rec-2');
    server.offlineOnce = true;
    const failed = await stopAndUpload(w, 'rec-2');
    expect(failed.lastError).toMatch(/Cannot reach/);
    await w.recorder.resumeUploads(true);
    expect(await w.db.getRecording('rec-2')).toMatchObject({ status: 'uploaded', workflowId: 900 });
    expect(server.posts().map((p) => p.key)).toEqual([failed.idempotencyKey, failed.idempotencyKey]);
    expect(server.workflows).toHaveLength(1);
  });

  it('each recording gets its own key when its upload is queued, kept when queued again', async () => {
    const w = await startWorker();
    await recording(w, 'rec-3');
    await w.db.putRecording({ ...(await w.db.getRecording('rec-3'))!, id: 'rec-4' });
    await w.recorder.recoverAfterRestart(); // the browser restarted with both running: both queued
    const [a, b] = [(await w.db.getRecording('rec-3'))!, (await w.db.getRecording('rec-4'))!];
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    const again = { ...a };
    w.recorder.queueUpload(again);
    expect(again.idempotencyKey).toBe(a.idempotencyKey);
  });
});
