import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeDetail, makeHealReview as makeReview, makeHealVote, makeHealth, makeMe } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const today = new Date().toISOString().slice(0, 10);

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

  it('shows runs completed with skips as their own series and outcome', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/workflows/10': () => ok(makeDetail()),
      'GET /api/workflows/10/health': () =>
        ok(
          makeHealth({
            days: [{ date: today, success: 3, completed_with_skips: 1, failed: 0, abandoned: 0, healed: 0 }],
            recent_runs: [
              { run_id: 'run-2', status: 'completed_with_skips', user_id: 4, error_type: 'element_not_found', created_at: '2026-11-25T11:00:00Z' },
              { run_id: 'run-1', status: 'success', user_id: 4, error_type: null, created_at: '2026-11-25T10:00:00Z' },
            ],
          }),
        ),
    });
    renderApp('/workflows/10/health');
    const perDay = await screen.findByRole('table', { name: 'Runs per day' });
    expect(within(perDay).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Day', 'Successful', 'Completed with skips', 'Failed', 'Abandoned', 'Success rate']);
    // 3 of 4 finished runs went through without a skip.
    expect(within(perDay).getByRole('row', { name: new RegExp(today) }).textContent).toBe(`${today}3100${'75%'}`);
    const runs = screen.getByRole('region', { name: 'Recent runs' });
    const badge = within(runs).getByText('Completed · steps skipped');
    expect(badge.getAttribute('title')).toMatch(/skipped at least one step/);
    expect(within(runs).getByText('Succeeded')).toBeTruthy();
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
    expect(await screen.findByText('Step 2 now prefers the healed element')).toBeTruthy();
    expect(screen.queryByRole('listitem', { name: 'Create an invoice, step 2' })).toBeNull();
    expect(calls.some((c) => c.method === 'POST' && c.url.pathname === '/api/heal-reviews/1/approve')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Reject the heal of Create an invoice, step 3' }));
    expect(await screen.findByText('Another admin decided this heal first.')).toBeTruthy();
    expect(await screen.findByText('Nothing waiting for review')).toBeTruthy();
  });

  it('shows who confirmed or rejected a waiting candidate, and that approving makes it preferred', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/heal-reviews': () =>
        ok(
          [
            makeReview({
              votes: [
                makeHealVote({ user_id: 2, user_name: 'Bob', vote: 'confirm', how: 'acted', created_at: '2026-11-25T10:05:00Z' }),
                makeHealVote({ user_id: 3, user_name: 'Cy', vote: 'reject', how: 'asked', created_at: '2026-11-25T10:10:00Z' }),
              ],
            }),
            makeReview({ id: 2, step_number: 3 }),
          ],
          { total: 2, limit: 20, offset: 0 },
        ),
    });
    renderApp('/heal-reviews');
    const card = await screen.findByRole('listitem', { name: 'Create an invoice, step 2' });
    const answers = within(card).getByRole('region', { name: 'Colleagues’ answers about Create an invoice, step 2' });
    expect(within(answers).getByText('1 confirmation · 1 rejection')).toBeTruthy();
    const items = within(answers).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      '✓Bob confirmed itused the element · 25 Nov 2026, 10:05',
      '✗Cy rejected itanswered the walkthrough’s question · 25 Nov 2026, 10:10',
    ]);
    const approve = within(card).getByRole('button', { name: 'Approve the heal of Create an invoice, step 2' });
    expect(approve.textContent).toBe('Approve as preferred');
    expect(document.getElementById(approve.getAttribute('aria-describedby')!)?.textContent).toMatch(/preferred way to find the element.*the recorded selectors stay/);
    const other = screen.getByRole('listitem', { name: 'Create an invoice, step 3' });
    expect(within(other).getByText('No colleague has confirmed or rejected it yet.')).toBeTruthy();
  });

  it('says how a decided review was resolved: by colleagues’ votes or by an admin', async () => {
    signInAs(makeMe({ id: 9, name: 'Zed' }));
    installFakeFetch({
      'GET /api/heal-reviews': () =>
        ok(
          [
            makeReview({
              id: 1,
              status: 'approved',
              resolution: 'votes',
              decided_at: '2026-11-25T11:00:00Z',
              votes: [makeHealVote({ user_id: 2, user_name: 'Bob' }), makeHealVote({ user_id: 4, user_name: 'Dee', how: 'acted' })],
            }),
            makeReview({
              id: 2,
              step_number: 3,
              status: 'approved',
              resolution: 'admin',
              decided_by: 1,
              decided_at: '2026-11-25T12:00:00Z',
              votes: [makeHealVote({ user_id: 1, user_name: 'Ada', admin: true, how: 'approved' })],
            }),
            makeReview({ id: 3, step_number: 4, status: 'approved', resolution: 'admin', decided_by: 1, decided_at: '2026-11-25T12:00:00Z' }),
          ],
          { total: 3, limit: 20, offset: 0 },
        ),
    });
    renderApp('/heal-reviews?status=approved');
    expect((await screen.findByTestId('heal-review-resolution-1')).textContent).toBe('Confirmed by 2 colleagues · 25 Nov 2026, 11:00');
    expect(screen.getByTestId('heal-review-resolution-2').textContent).toBe('Approved by Ada · 25 Nov 2026, 12:00');
    expect(screen.getByTestId('heal-review-resolution-3').textContent).toBe('Approved · 25 Nov 2026, 12:00');
    expect(screen.queryByRole('button', { name: /^Approve the heal/ })).toBeNull();
  });

  it('filters by status from the tabs', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/heal-reviews': (req) => ok(req.url.searchParams.get('status') === 'approved' ? [makeReview({ status: 'approved', resolution: 'admin', decided_by: 1, decided_at: '2026-11-25T11:00:00Z' })] : [], { total: 1, limit: 20, offset: 0 }),
    });
    renderApp('/heal-reviews');
    expect(await screen.findByText('Nothing waiting for review')).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'Approved' }));
    expect((await screen.findByTestId('heal-review-resolution-1')).textContent).toMatch(/^Approved by you · 25 Nov 2026/);
    expect(calls.at(-1)?.url.searchParams.get('status')).toBe('approved');
    expect(screen.queryByRole('button', { name: /^Approve the heal/ })).toBeNull();
  });
});
