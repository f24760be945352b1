import { useCallback, useEffect, useState } from 'react';
import { type ApiError, toApiError } from '../../../lib/api-error';
import type { CheckRun } from '../../../lib/schemas';
import { POLL_MS, fetchCheckRun, pollCheckRun } from '../api/checks-api';

export interface CheckRunState {
  run: CheckRun | null;
  error: ApiError | null;
  /** Asking again after a failure (polls until the run has finished). */
  retry: () => void;
}

/** A check run, refreshed every second until it has finished; leaving the page stops it. */
export function useCheckRun(runId: number, intervalMs = POLL_MS): CheckRunState {
  // Kept with the id it belongs to, so that another run's filmstrip never shows this one's.
  const [loaded, setLoaded] = useState<CheckRun | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!Number.isInteger(runId) || runId < 1) return;
    const controller = new AbortController();
    setError(null);
    pollCheckRun((signal) => fetchCheckRun(runId, signal), { signal: controller.signal, intervalMs, onUpdate: setLoaded }).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(toApiError(e));
    });
    return () => controller.abort();
  }, [runId, intervalMs, attempt]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return { run: loaded && loaded.id === runId ? loaded : null, error, retry };
}
