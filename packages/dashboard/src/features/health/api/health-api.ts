import type { PageMeta } from '@stepwise/api-types';
import { api } from '../../../lib/api-client';
import type { HealReview, HealthDay, WorkflowDetail, WorkflowHealth } from '../../../lib/schemas';

export async function fetchHealth(id: number, days: number, signal?: AbortSignal): Promise<WorkflowHealth> {
  return api.get('/api/workflows/{id}/health', { path: { id }, query: { days }, silent: true, ...(signal ? { signal } : {}) });
}

/** The workflow with its steps: its name for the title, and what the page's extra sections need. */
export function fetchWorkflow(id: number, signal?: AbortSignal): Promise<WorkflowDetail> {
  return api.get('/api/workflows/{id}', { path: { id }, silent: true, ...(signal ? { signal } : {}) });
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export async function listHealReviews(query: { status: ReviewStatus; limit: number; offset: number; workflow_id?: number }, signal?: AbortSignal): Promise<{ items: HealReview[]; meta: PageMeta }> {
  const r = await api.list('/api/heal-reviews', { query, silent: true, ...(signal ? { signal } : {}) });
  return { items: r.data, meta: r.meta };
}

// Decisions are silent: the card says what happened (a 409 means someone decided first).
export function approveHealReview(id: number): Promise<HealReview> {
  return api.post('/api/heal-reviews/{id}/approve', { path: { id }, silent: true });
}

export function rejectHealReview(id: number): Promise<HealReview> {
  return api.post('/api/heal-reviews/{id}/reject', { path: { id }, silent: true });
}

export interface ChartPoint {
  date: string;
  /** Short label for the axis, e.g. `26 Nov`. */
  label: string;
  success: number;
  /** Runs that finished with some steps skipped. */
  withSkips: number;
  failed: number;
  abandoned: number;
  healed: number;
  /** Percent of finished runs that succeeded without skipping a step; null on a day without finished runs. */
  rate: number | null;
}

const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * The chart's points: one per day of the period (days the server left out count as empty), oldest
 * first. Abandoned runs are neither successes nor failures, as in the workflow's success rate. A run
 * completed with skipped steps finished but not as recorded: it counts among the finished runs, not
 * among the successes, so a step people keep skipping lowers the rate.
 */
export function chartPoints(days: readonly HealthDay[], period: number, today = new Date()): ChartPoint[] {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const out: ChartPoint[] = [];
  for (let i = period - 1; i >= 0; i--) {
    const t = new Date(end - i * 86_400_000);
    const date = t.toISOString().slice(0, 10);
    const d = byDate.get(date);
    const success = d?.success ?? 0;
    const withSkips = d?.completed_with_skips ?? 0;
    const failed = d?.failed ?? 0;
    const finished = success + withSkips + failed;
    out.push({
      date,
      label: dayLabel.format(t),
      success,
      withSkips,
      failed,
      abandoned: d?.abandoned ?? 0,
      healed: d?.healed ?? 0,
      rate: finished > 0 ? Math.round((success / finished) * 1000) / 10 : null,
    });
  }
  return out;
}
