import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HealReview, WorkflowHealth } from '../../../lib/schemas';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeDetail, makeMe } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const today = new Date().toISOString().slice(0, 10);

function makeHealth(patch: Partial<WorkflowHealth> = {}): WorkflowHealth {
  return {
    workflow_id: 7,
    workflow_name: 'Start a trial',
    workflow: { status: 'broken', success_rate: 0.8, total_uses: 25, consecutive_failures: 3, last_successful_run: '2026-11-20T10:00:00Z', last_failed_run: '2026-11-25T10:00:00Z' },
    days: [{ date: today, success: 3, failed: 2, abandoned: 1, healed: 1 }],
    failing_steps: [{ step_id: 102, step_number: 2, field_label: 'Plan', failures: 7, error_types: { element_not_found: 5, timeout: 2 } }],
    recent_runs: [{ run_id: 'run-1', status: 'failed', user_id: 4, error_type: 'element_not_found', created_at: '2026-11-25T10:00:00Z' }],
    healing_events: [{ step_id: 102, step_number: 2, field_label: 'Plan', status: 'healed_ai', healing_confidence: 0.84, page_url: 'https://app.example.com/billing', created_at: '2026-11-24T10:00:00Z' }],
    ...patch,
  };
}

function makeReview(patch: Partial<HealReview> = {}): HealReview {
  return {
    id: 1,
    workflow_id: 10,
    workflow_name: 'Create an invoice',
    step_id: 102,
    step_number: 2,
    field_label: 'Plan',
    status: 'pending',
    confidence: 0.72,
    method: 'ai',
    selector: '#plan-select',
    previous_selector: '#plan',
    recorded_box: { x: 100, y: 100, width: 120, height: 30 },
    candidate_box: { x: 140, y: 180, width: 120, height: 30 },
    recorded_screenshot_url: '/api/blobs/rec.png?sig=x',
    current_screenshot_url: '/api/blobs/cur.png?sig=x',
    page_url: 'https://app.example.com/billing',
    created_at: '2026-11-25T10:00:00Z',
    decided_at: null,
    decided_by: null,
    ...patch,
  };
}

describe('health page', () => {
  it('shows the summary, runs per day, the failing steps, healing and recent runs', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({ 'GET /api/workflows/10': () => ok(makeDetail()), 'GET /api/workflows/10/health': () => ok(makeHealth()) });
    renderApp('/workflows/10/health');
    expect(await screen.findByRole('heading', { name: 'Health: Create an invoice' })).toBeTruthy();
    expect(await screen.findByText('Success rate over time')).toBeTruthy();
    expect(screen.getByText('80%')).toBeTruthy();
    expect(screen.getByText('Broken')).toBeTruthy();
    const perDay = screen.getByRole('table', { name: 'Runs per day' });
    expect(within(perDay).getByRole('row', { name: new RegExp(today) }).textContent).toContain('60%');
    expect(screen.getByText('Element not found × 5')).toBeTruthy();
    expect(screen.getByText(/Healed with AI/).textContent).toContain('84% sure');
    const runs = screen.getByRole('region', { name: 'Recent runs' });
    expect(within(runs).getByText('Failed')).toBeTruthy();
    expect(within(runs).getByText('Element not found')).toBeTruthy();
    expect(calls.find((c) => c.url.pathname.endsWith('/health'))?.url.searchParams.get('days')).toBe('30');
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: '7' } });
    await waitFor(() => expect(calls.filter((c) => c.url.pathname.endsWith('/health')).at(-1)?.url.searchParams.get('days')).toBe('7'));
  });

  it('says when there were no runs', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows/10': () => ok(makeDetail()), 'GET /api/workflows/10/health': () => ok(makeHealth({ days: [], failing_steps: [], recent_runs: [], healing_events: [] })) });
    renderApp('/workflows/10/health');
    expect(await screen.findByText('No runs in the last 30 days')).toBeTruthy();
    expect(screen.getByText('No step has failed in this period.')).toBeTruthy();
  });

  it('shows an error with a retry', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows/10': () => ok(makeDetail()), 'GET /api/workflows/10/health': () => apiError(503, 'OVERLOADED', 'The server is busy; retry shortly.') });
    renderApp('/workflows/10/health');
    expect(await screen.findByText('Health could not be loaded')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('heal review queue', () => {
  it('shows the recorded and candidate crops side by side and approves in one click', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/heal-reviews': () => ok([makeReview(), makeReview({ id: 2, step_number: 3 })], { total: 2, limit: 20, offset: 0 }),
      'POST /api/heal-reviews/1/approve': () => ok(makeReview({ status: 'approved' })),
      'POST /api/heal-reviews/2/reject': () => apiError(409, 'INVALID_STATUS_TRANSITION', 'Already decided.'),
    });
    renderApp('/heal-reviews');
    const card = await screen.findByRole('listitem', { name: 'Create an invoice, step 2' });
    expect(within(card).getByRole('img', { name: /^Recorded/ }).getAttribute('src')).toBe('/api/blobs/rec.png?sig=x');
    expect(within(card).getByRole('img', { name: /^Candidate/ }).getAttribute('src')).toBe('/api/blobs/cur.png?sig=x');
    expect(within(card).getByText('#plan-select')).toBeTruthy();
    expect(within(card).getByText('72% sure')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Approve the heal of Create an invoice, step 2' }));
    expect(await screen.findByText('Step 2 now uses the new selector')).toBeTruthy();
    expect(screen.queryByRole('listitem', { name: 'Create an invoice, step 2' })).toBeNull();
    expect(calls.some((c) => c.method === 'POST' && c.url.pathname === '/api/heal-reviews/1/approve')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Reject the heal of Create an invoice, step 3' }));
    expect(await screen.findByText('Another admin decided this heal first.')).toBeTruthy();
    expect(await screen.findByText('Nothing waiting for review')).toBeTruthy();
  });

  it('filters by status from the tabs', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/heal-reviews': (req) => ok(req.url.searchParams.get('status') === 'approved' ? [makeReview({ status: 'approved', decided_at: '2026-11-25T11:00:00Z' })] : [], { total: 1, limit: 20, offset: 0 }),
    });
    renderApp('/heal-reviews');
    expect(await screen.findByText('Nothing waiting for review')).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'Approved' }));
    expect(await screen.findByText(/^Approved 25 Nov 2026/)).toBeTruthy();
    expect(calls.at(-1)?.url.searchParams.get('status')).toBe('approved');
    expect(screen.queryByRole('button', { name: /^Approve the heal/ })).toBeNull();
  });
});
