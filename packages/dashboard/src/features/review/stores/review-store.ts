import { create } from 'zustand';
import { type ApiError, toApiError } from '../../../lib/api-error';
import type { StepUpdateRequest, WorkflowUpdateRequest } from '../../../lib/schemas';
import * as reviewApi from '../api/review-api';
import {
  type ProgressEvent,
  type ReviewState,
  emptyReview,
  loaded,
  movedOrder,
  progressed,
  reordered,
  stepRemoved,
  stepSaved,
  workflowSaved,
} from './review-actions';

interface ReviewStore extends ReviewState {
  reset: () => void;
  load: (id: number, signal?: AbortSignal) => Promise<void>;
  saveStep: (stepId: number, patch: StepUpdateRequest) => Promise<void>;
  deleteStep: (stepId: number) => Promise<void>;
  moveStep: (stepId: number, delta: -1 | 1) => Promise<void>;
  saveWorkflow: (patch: WorkflowUpdateRequest) => Promise<void>;
  onProgress: (event: ProgressEvent) => void;
}

// Changes go to the server one at a time, each with the ETag the previous one answered; two quick
// edits would otherwise race and the second would fail its If-Match.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

export const useReviewStore = create<ReviewStore>()((set, get) => {
  /** Runs a change; a 412 marks the page as out of date. The error is rethrown for the caller. */
  const change = <T>(task: (s: ReviewState, id: number) => Promise<T>): Promise<T> =>
    serial(async () => {
      const s = get();
      if (!s.workflow) throw new Error('No workflow loaded');
      try {
        return await task(s, s.workflow.id);
      } catch (e) {
        const error: ApiError = toApiError(e);
        if (error.status === 412) set({ conflict: true });
        throw error;
      }
    });

  return {
    ...emptyReview,
    reset: () => set(emptyReview),
    load: async (id, signal) => {
      const { data, etag } = await reviewApi.fetchWorkflow(id, signal);
      if (signal?.aborted) return;
      set((s) => loaded(s.workflow?.id === id ? s : emptyReview, data, etag));
    },
    saveStep: (stepId, patch) =>
      change(async (s, id) => {
        const { data, etag } = await reviewApi.updateStep(id, stepId, patch, s.etag);
        set((cur) => stepSaved(cur, data, etag));
      }),
    deleteStep: (stepId) =>
      change(async (s, id) => {
        const { etag } = await reviewApi.deleteStep(id, stepId, s.etag);
        set((cur) => stepRemoved(cur, stepId, etag));
      }),
    moveStep: (stepId, delta) => {
      // The new order shows at once; the server confirms it (or it goes back) in turn.
      const before = get().workflow;
      const order = before ? movedOrder(before.steps, stepId, delta) : null;
      if (!order) return Promise.resolve();
      set((cur) => reordered(cur, order));
      return change(async (s, id) => {
        try {
          const { data, etag } = await reviewApi.reorderSteps(id, order, s.etag);
          set((cur) => loaded(cur, data, etag));
        } catch (e) {
          set({ workflow: before });
          throw e;
        }
      });
    },
    saveWorkflow: (patch) =>
      change(async (s, id) => {
        const { data, etag } = await reviewApi.updateWorkflow(id, patch, s.etag);
        set((cur) => workflowSaved(cur, data, etag));
      }),
    onProgress: (event) => set((s) => progressed(s, event)),
  };
});
