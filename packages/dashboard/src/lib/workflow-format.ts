import type { Workflow, WorkflowStatus } from './schemas';

export const STATUS_LABELS: Record<WorkflowStatus, string> = {
  draft: 'Draft',
  processing: 'Labeling',
  needs_review: 'Needs review',
  active: 'Active',
  broken: 'Broken',
  archived: 'Archived',
};

export const STATUS_TONES: Record<WorkflowStatus, 'slate' | 'indigo' | 'green' | 'amber' | 'red'> = {
  draft: 'slate',
  processing: 'indigo',
  needs_review: 'amber',
  active: 'green',
  broken: 'red',
  archived: 'slate',
};

/** The latest run, successful or not; null when the workflow never ran. */
export function lastRun(w: Pick<Workflow, 'last_successful_run' | 'last_failed_run'>): string | null {
  const a = w.last_successful_run ?? null;
  const b = w.last_failed_run ?? null;
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** `0.873` → `87%`; no finished runs yet → `—`. */
export function formatRate(rate: number, runs: number): string {
  if (runs === 0) return '—';
  return `${Math.round(rate * 100)}%`;
}

/** Below this the AI was unsure and a person should look at the label. */
export const LOW_CONFIDENCE = 0.7;

export function isLowConfidence(confidence: number | null | undefined): boolean {
  return confidence !== null && confidence !== undefined && confidence < LOW_CONFIDENCE;
}
