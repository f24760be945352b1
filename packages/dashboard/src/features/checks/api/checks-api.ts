import { api } from '../../../lib/api-client';
import type { CheckRun, WorkflowCheck, WorkflowCheckUpdate } from '../../../lib/schemas';

// Reads are silent: the cards and the filmstrip show their own errors in place.
export function fetchWorkflowCheck(workflowId: number, signal?: AbortSignal): Promise<WorkflowCheck> {
  return api.get('/api/workflows/{id}/check', { path: { id: workflowId }, silent: true, ...(signal ? { signal } : {}) });
}

/** Sends only what changed (fields left out keep their value); the card shows a refusal per field. */
export function updateWorkflowCheck(workflowId: number, update: WorkflowCheckUpdate): Promise<WorkflowCheck> {
  return api.put('/api/workflows/{id}/check', { path: { id: workflowId }, body: update, silent: true });
}

/** The history shown on the health page: the newest runs. */
export const HISTORY_LIMIT = 20;

export async function listCheckRuns(workflowId: number, signal?: AbortSignal): Promise<CheckRun[]> {
  const r = await api.list('/api/workflows/{id}/check-runs', { path: { id: workflowId }, query: { limit: HISTORY_LIMIT, offset: 0 }, silent: true, ...(signal ? { signal } : {}) });
  return r.data;
}

/** Queues a run (or answers the one already queued or running); a 409 is explained by the card. */
export function runCheckNow(workflowId: number): Promise<CheckRun> {
  return api.post('/api/workflows/{id}/check-runs', { path: { id: workflowId }, silent: true });
}

export function fetchCheckRun(runId: number, signal?: AbortSignal): Promise<CheckRun> {
  return api.get('/api/check-runs/{id}', { path: { id: runId }, silent: true, ...(signal ? { signal } : {}) });
}

export async function fetchWorkflowName(workflowId: number, signal?: AbortSignal): Promise<string> {
  const w = await api.get('/api/workflows/{id}', { path: { id: workflowId }, silent: true, ...(signal ? { signal } : {}) });
  return w.name;
}

/** How often the filmstrip asks for a run that has not finished. */
export const POLL_MS = 1000;

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Loads a run, then again every `intervalMs` until its `state` is `finished`, handing each answer
 * to `onUpdate`. Resolves with the finished run, or null once `signal` aborts (the page was left);
 * a failed load rejects and ends the polling.
 */
export async function pollCheckRun(
  load: (signal: AbortSignal) => Promise<CheckRun>,
  { signal, onUpdate, intervalMs = POLL_MS, sleep = wait }: { signal: AbortSignal; onUpdate: (run: CheckRun) => void; intervalMs?: number; sleep?: (ms: number, signal: AbortSignal) => Promise<void> },
): Promise<CheckRun | null> {
  for (;;) {
    const run = await load(signal);
    if (signal.aborted) return null;
    onUpdate(run);
    if (run.state === 'finished') return run;
    await sleep(intervalMs, signal);
    if (signal.aborted) return null;
  }
}
