// The review page's state changes as state-in, state-out functions (Excalidraw's actions): the
// store applies them, tests call them directly.
import type { Step, Workflow, WorkflowDetail } from '../../../lib/schemas';

export interface Progress {
  done: number;
  total: number;
  failed: number;
}

export interface ReviewState {
  workflow: WorkflowDetail | null;
  /** The version the page shows; every change sends it as If-Match. */
  etag: string | null;
  /** Someone else changed the workflow (a 412): the page asks to reload. */
  conflict: boolean;
  /** Labeling progress from the event stream, while the workflow is being labeled. */
  progress: Progress | null;
}

export const emptyReview: ReviewState = { workflow: null, etag: null, conflict: false, progress: null };

export function loaded(state: ReviewState, workflow: WorkflowDetail, etag: string | null): ReviewState {
  const progress = workflow.status === 'processing' ? state.progress : null;
  return { ...state, workflow, etag, conflict: false, progress };
}

function numbered(steps: Step[]): Step[] {
  return steps.map((s, i) => (s.step_number === i + 1 ? s : { ...s, step_number: i + 1 }));
}

export function stepSaved(state: ReviewState, step: Step, etag: string | null): ReviewState {
  if (!state.workflow) return state;
  const steps = state.workflow.steps.map((s) => (s.id === step.id ? step : s));
  return { ...state, workflow: { ...state.workflow, steps }, etag: etag ?? state.etag };
}

export function stepRemoved(state: ReviewState, stepId: number, etag: string | null): ReviewState {
  if (!state.workflow) return state;
  const steps = numbered(state.workflow.steps.filter((s) => s.id !== stepId));
  return { ...state, workflow: { ...state.workflow, steps, step_count: steps.length }, etag: etag ?? state.etag };
}

/** The step ids after moving one up (-1) or down (+1); null when it cannot move that way. */
export function movedOrder(steps: readonly Step[], stepId: number, delta: -1 | 1): number[] | null {
  const from = steps.findIndex((s) => s.id === stepId);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= steps.length) return null;
  const ids = steps.map((s) => s.id);
  [ids[from], ids[to]] = [ids[to]!, ids[from]!];
  return ids;
}

/** Shows a new order at once (before the server confirms it). */
export function reordered(state: ReviewState, stepIds: readonly number[]): ReviewState {
  if (!state.workflow) return state;
  const byId = new Map(state.workflow.steps.map((s) => [s.id, s]));
  const steps = stepIds.map((id) => byId.get(id)).filter((s): s is Step => s !== undefined);
  if (steps.length !== state.workflow.steps.length) return state;
  return { ...state, workflow: { ...state.workflow, steps: numbered(steps) } };
}

/** PUT answers the list-item shape (no steps): keep the steps we have. */
export function workflowSaved(state: ReviewState, workflow: Workflow, etag: string | null): ReviewState {
  if (!state.workflow) return state;
  return { ...state, workflow: { ...state.workflow, ...workflow, steps: state.workflow.steps }, etag: etag ?? state.etag };
}

export interface ProgressEvent {
  workflow_id: number;
  done: number;
  total: number;
  failed?: number;
}

export function isProgressEvent(data: unknown): data is ProgressEvent {
  const d = data as Partial<ProgressEvent> | null;
  return typeof d === 'object' && d !== null && typeof d.workflow_id === 'number' && typeof d.done === 'number' && typeof d.total === 'number';
}

export function progressed(state: ReviewState, event: ProgressEvent): ReviewState {
  if (!state.workflow || event.workflow_id !== state.workflow.id) return state;
  const total = Math.max(0, event.total);
  const done = Math.min(Math.max(0, event.done), total);
  // Events can arrive out of order after a reconnect: never go backwards.
  if (state.progress && state.progress.total === total && state.progress.done > done) return state;
  return { ...state, progress: { done, total, failed: Math.max(0, event.failed ?? 0) } };
}
