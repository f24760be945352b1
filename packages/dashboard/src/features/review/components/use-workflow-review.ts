import { useCallback, useEffect, useState } from 'react';
import { type ApiError, toApiError } from '../../../lib/api-error';
import { useLiveEvent } from '../../../lib/event-stream';
import { useLiveStore } from '../../../stores/live-store';
import { isProgressEvent } from '../stores/review-actions';
import { useReviewStore } from '../stores/review-store';

const POLL_MS = 3000;

/**
 * Workflow `id` as the review page shows it: loaded on arrival (and again on `retry`), kept current
 * by the event stream, and checked every few seconds while it is labeled and the stream is down.
 * `current` is null until the store holds this workflow; `loadError` says why it could not be had.
 */
export function useWorkflowReview(id: number) {
  const live = useLiveStore((s) => s.status === 'open');
  const { workflow, conflict, progress } = useReviewStore();
  const store = useReviewStore.getState;
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  const current = workflow?.id === id ? workflow : null;

  const reload = useCallback(
    (signal?: AbortSignal) =>
      store()
        .load(id, signal)
        .then(
          () => setLoadError(null),
          (e: unknown) => {
            if (!signal?.aborted && (e as { name?: string }).name !== 'AbortError') setLoadError(toApiError(e));
          },
        ),
    [id, store],
  );

  useEffect(() => {
    if (!Number.isInteger(id) || id < 1) return;
    const controller = new AbortController();
    setLoadError(null);
    void reload(controller.signal);
    return () => controller.abort();
  }, [id, attempt, reload]);

  useEffect(() => {
    document.title = current ? `${current.name} · Stepwise` : 'Workflow · Stepwise';
  }, [current]);

  useLiveEvent('progress', (data) => {
    if (isProgressEvent(data)) store().onProgress(data);
  });
  useLiveEvent('workflow_status', (data) => {
    if ((data as { workflow_id?: unknown } | null)?.workflow_id === id) void reload();
  });

  // Without the event stream, a workflow being labeled is checked every few seconds.
  const processing = current?.status === 'processing';
  useEffect(() => {
    if (!processing || live) return;
    const t = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(t);
  }, [processing, live, reload]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return { current, conflict, progress, live, processing, loadError, reload, retry };
}
