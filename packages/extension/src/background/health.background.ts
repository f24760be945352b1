// Health reports: every step outcome and every run outcome of a walkthrough goes to
// POST /api/workflows/{id}/health-logs in batches of at most 200, each entry with its own
// client_id so a retried batch never counts twice. Entries wait in IndexedDB while offline.
import { backoffMs } from '../shared/backoff';
import { logError } from '../shared/errors';
import type { HealthLogEntry } from '../shared/types';
import { ApiError, call } from './api.background';
import * as db from './db.background';

export const MAX_BATCH = 200;

/** Groups outbox records per workflow, oldest first, into batches the server accepts. */
export function batches(records: readonly db.OutboxRecord[], max = MAX_BATCH): { workflowId: number; entries: HealthLogEntry[]; clientIds: string[] }[] {
  const byWorkflow = new Map<number, db.OutboxRecord[]>();
  for (const r of records) {
    const list = byWorkflow.get(r.workflowId) ?? [];
    list.push(r);
    byWorkflow.set(r.workflowId, list);
  }
  const out: { workflowId: number; entries: HealthLogEntry[]; clientIds: string[] }[] = [];
  for (const [workflowId, list] of byWorkflow) {
    for (let i = 0; i < list.length; i += max) {
      const chunk = list.slice(i, i + max);
      out.push({ workflowId, entries: chunk.map((r) => r.entry), clientIds: chunk.map((r) => r.clientId) });
    }
  }
  return out;
}

export type Poster = (workflowId: number, entries: HealthLogEntry[]) => Promise<void>;

const post: Poster = async (workflowId, entries) => {
  await call('POST', `/api/workflows/${workflowId}/health-logs`, { body: { entries } });
};

/** Entries older than this are dropped if the server keeps refusing them (e.g. workflow deleted). */
const MAX_AGE_MS = 7 * 24 * 3600_000;

let attempt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let flushing: Promise<void> | null = null;

/** Sends what waits; resolves once every batch was answered (sent, kept for later, or dropped). */
export function flushHealth(poster: Poster = post): Promise<void> {
  if (flushing) return flushing;
  flushing = (async () => {
    let failed = false;
    for (const batch of batches(await db.listOutbox())) {
      try {
        await poster(batch.workflowId, batch.entries);
        await db.removeOutbox(batch.clientIds);
      } catch (e) {
        if (e instanceof ApiError && !e.retryable && e.status !== 404) {
          // Refused for good (422 …): retrying cannot help.
          await db.removeOutbox(batch.clientIds);
          await logError('health', e);
          continue;
        }
        failed = true;
        await logError('health', e);
      }
    }
    // Drop entries nobody will ever accept (a deleted workflow answers 404 forever).
    const old = (await db.listOutbox()).filter((r) => Date.now() - r.createdAt > MAX_AGE_MS);
    await db.removeOutbox(old.map((r) => r.clientId));
    if (failed) {
      attempt++;
      clearTimeout(timer);
      timer = setTimeout(() => void flushHealth(poster), backoffMs(attempt, { maxMs: 10 * 60_000 }));
    } else attempt = 0;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

export async function report(workflowId: number, entries: HealthLogEntry[]): Promise<void> {
  await db.enqueueHealth(entries.map((entry) => ({ clientId: entry.client_id, workflowId, entry, createdAt: Date.now() })));
}
