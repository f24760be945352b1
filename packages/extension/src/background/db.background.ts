// IndexedDB: the recorder's durable buffer. A service-worker restart, a navigation, a reload or a
// browser crash loses nothing: every step is written here the moment it arrives, before its
// screenshot, and uploads resume from here. Small promise wrappers, no library.
import type { CapturedStep, HealthLogEntry, RecordingStatus, RecordingView } from '../shared/types';

export const DB_NAME = 'stepwise';
const DB_VERSION = 1;

export interface RecordingRecord {
  id: string;
  name: string;
  description: string;
  startingUrl: string;
  status: RecordingStatus;
  tabIds: number[];
  createdAt: number;
  nextSeq: number;
  stepCount: number;
  lastStepAt: number | null;
  /** Screenshot hash → server id, for this recording's account (the server dedupes per company). */
  remoteShots: Record<string, number>;
  workflowId: number | null;
  /**
   * The Idempotency-Key of this recording's workflow POST, made when the upload is queued and sent
   * on every try, so a try whose answer was lost is answered, not repeated, by the next one.
   * Records written before the key existed have none (undefined): the upload makes one.
   */
  idempotencyKey: string | null;
  /** The workflow POST's body as first sent: every later try sends these bytes under the key. */
  postBody: string | null;
  /** When this key's first POST went out (a try got no answer until it is cleared). */
  postStartedAt: number | null;
  attempt: number;
  nextAttemptAt: number | null;
  lastError: string | null;
}

export interface StepRecord {
  clientId: string;
  recordingId: string;
  seq: number;
  step: CapturedStep;
  screenshotHash: string | null;
  /** The capture failed or could not be made (tab hidden): the step goes up without one. */
  screenshotMissing: boolean;
}

export interface ScreenshotRecord {
  hash: string;
  blob: Blob;
  createdAt: number;
}

export interface OutboxRecord {
  clientId: string;
  workflowId: number;
  entry: HealthLogEntry;
  createdAt: number;
}

let opening: Promise<IDBDatabase> | null = null;

export function openDb(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  if (opening) return opening;
  opening = new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('recordings', { keyPath: 'id' });
      const steps = db.createObjectStore('steps', { keyPath: 'clientId' });
      steps.createIndex('byRecording', ['recordingId', 'seq']);
      db.createObjectStore('screenshots', { keyPath: 'hash' });
      const outbox = db.createObjectStore('outbox', { keyPath: 'clientId' });
      outbox.createIndex('byCreated', 'createdAt');
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      db.onclose = () => {
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      opening = null;
      reject(req.error);
    };
  });
  return opening;
}

/** Tests: forget the cached connection (a "restarted" worker opens the database again). */
export async function closeDb(): Promise<void> {
  if (!opening) return;
  const db = await opening.catch(() => null);
  db?.close();
  opening = null;
}

const done = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });

const result = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

async function read<T>(store: string, key: IDBValidKey): Promise<T | undefined> {
  const db = await openDb();
  return (await result(db.transaction(store).objectStore(store).get(key))) as T | undefined;
}

export async function getRecording(id: string): Promise<RecordingRecord | undefined> {
  return read<RecordingRecord>('recordings', id);
}

export async function putRecording(rec: RecordingRecord): Promise<void> {
  const db = await openDb();
  const tx = db.transaction('recordings', 'readwrite');
  tx.objectStore('recordings').put(rec);
  await done(tx);
}

/** Read-modify-write of one recording in one transaction. */
export async function updateRecording(id: string, change: (rec: RecordingRecord) => void): Promise<RecordingRecord | undefined> {
  const db = await openDb();
  const tx = db.transaction('recordings', 'readwrite');
  const store = tx.objectStore('recordings');
  const rec = (await result(store.get(id))) as RecordingRecord | undefined;
  if (rec) {
    change(rec);
    store.put(rec);
  }
  await done(tx);
  return rec;
}

export async function listRecordings(): Promise<RecordingRecord[]> {
  const db = await openDb();
  const all = (await result(db.transaction('recordings').objectStore('recordings').getAll())) as RecordingRecord[];
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

export async function deleteRecording(id: string): Promise<void> {
  const steps = await listSteps(id);
  const db = await openDb();
  const tx = db.transaction(['recordings', 'steps'], 'readwrite');
  tx.objectStore('recordings').delete(id);
  for (const s of steps) tx.objectStore('steps').delete(s.clientId);
  await done(tx);
}

export async function deleteSteps(recordingId: string): Promise<void> {
  const steps = await listSteps(recordingId);
  const db = await openDb();
  const tx = db.transaction('steps', 'readwrite');
  for (const s of steps) tx.objectStore('steps').delete(s.clientId);
  await done(tx);
}

export type AddStepResult = { stored: true; seq: number; stepCount: number } | { stored: false; reason: 'duplicate' | 'not_recording'; stepCount: number };

/**
 * Appends a step, numbered in the same transaction as the recording's counter. Idempotent on the
 * step's client id: a content script that re-sends after a worker restart does not duplicate it.
 */
export async function addStep(recordingId: string, step: CapturedStep): Promise<AddStepResult> {
  const db = await openDb();
  const tx = db.transaction(['recordings', 'steps'], 'readwrite');
  const recs = tx.objectStore('recordings');
  const steps = tx.objectStore('steps');
  const rec = (await result(recs.get(recordingId))) as RecordingRecord | undefined;
  const existing = await result(steps.getKey(step.client_id));
  let out: AddStepResult;
  if (!rec || rec.status !== 'recording') {
    out = { stored: false, reason: 'not_recording', stepCount: rec?.stepCount ?? 0 };
  } else if (existing !== undefined) {
    out = { stored: false, reason: 'duplicate', stepCount: rec.stepCount };
  } else {
    const seq = rec.nextSeq;
    rec.nextSeq += 1;
    rec.stepCount += 1;
    rec.lastStepAt = Date.now();
    recs.put(rec);
    const record: StepRecord = { clientId: step.client_id, recordingId, seq, step, screenshotHash: null, screenshotMissing: false };
    steps.put(record);
    out = { stored: true, seq, stepCount: rec.stepCount };
  }
  await done(tx);
  return out;
}

export async function getStep(clientId: string): Promise<StepRecord | undefined> {
  return read<StepRecord>('steps', clientId);
}

export async function updateStep(clientId: string, change: (s: StepRecord) => void): Promise<StepRecord | undefined> {
  const db = await openDb();
  const tx = db.transaction('steps', 'readwrite');
  const store = tx.objectStore('steps');
  const rec = (await result(store.get(clientId))) as StepRecord | undefined;
  if (rec) {
    change(rec);
    store.put(rec);
  }
  await done(tx);
  return rec;
}

export async function listSteps(recordingId: string): Promise<StepRecord[]> {
  const db = await openDb();
  const range = IDBKeyRange.bound([recordingId, 0], [recordingId, Number.MAX_SAFE_INTEGER]);
  return (await result(db.transaction('steps').objectStore('steps').index('byRecording').getAll(range))) as StepRecord[];
}

/** Stores a screenshot once per hash (identical captures are kept once). */
export async function putScreenshot(hash: string, blob: Blob): Promise<void> {
  const db = await openDb();
  const tx = db.transaction('screenshots', 'readwrite');
  const store = tx.objectStore('screenshots');
  if ((await result(store.getKey(hash))) === undefined) store.put({ hash, blob, createdAt: Date.now() } satisfies ScreenshotRecord);
  await done(tx);
}

export async function getScreenshot(hash: string): Promise<ScreenshotRecord | undefined> {
  return read<ScreenshotRecord>('screenshots', hash);
}

/** Drops screenshots no remaining step refers to (after an upload or a discard). */
export async function pruneScreenshots(): Promise<number> {
  const db = await openDb();
  const used = new Set<string>();
  const allSteps = (await result(db.transaction('steps').objectStore('steps').getAll())) as StepRecord[];
  for (const s of allSteps) if (s.screenshotHash) used.add(s.screenshotHash);
  const tx = db.transaction('screenshots', 'readwrite');
  const store = tx.objectStore('screenshots');
  const keys = (await result(store.getAllKeys())) as string[];
  let removed = 0;
  for (const k of keys) {
    if (!used.has(k)) {
      store.delete(k);
      removed++;
    }
  }
  await done(tx);
  return removed;
}

// ---- health outbox: step and run outcomes waiting to reach the server

export const MAX_OUTBOX = 5000;

export async function enqueueHealth(records: OutboxRecord[]): Promise<void> {
  const db = await openDb();
  const tx = db.transaction('outbox', 'readwrite');
  const store = tx.objectStore('outbox');
  for (const r of records) store.put(r);
  await done(tx);
  // Bounded: a client offline for weeks keeps the newest entries.
  const count = await result(db.transaction('outbox').objectStore('outbox').count());
  if (count > MAX_OUTBOX) {
    const all = await listOutbox();
    await removeOutbox(all.slice(0, count - MAX_OUTBOX).map((r) => r.clientId));
  }
}

export async function listOutbox(): Promise<OutboxRecord[]> {
  const db = await openDb();
  return (await result(db.transaction('outbox').objectStore('outbox').index('byCreated').getAll())) as OutboxRecord[];
}

export async function removeOutbox(clientIds: readonly string[]): Promise<void> {
  if (!clientIds.length) return;
  const db = await openDb();
  const tx = db.transaction('outbox', 'readwrite');
  for (const id of clientIds) tx.objectStore('outbox').delete(id);
  await done(tx);
}

export function viewOf(rec: RecordingRecord, totalShots = 0): RecordingView {
  return {
    id: rec.id,
    name: rec.name,
    status: rec.status,
    stepCount: rec.stepCount,
    uploadedShots: Object.keys(rec.remoteShots).length,
    totalShots: Math.max(totalShots, Object.keys(rec.remoteShots).length),
    workflowId: rec.workflowId,
    lastError: rec.lastError,
    nextAttemptAt: rec.nextAttemptAt,
  };
}
