import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CheckRun } from '../../../lib/schemas';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeCheckRun, makeDetail, makeHealth, makeMe, makeWorkflowCheck } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

async function openHistory(runs: () => Response) {
  signInAs(makeMe());
  const fake = installFakeFetch({
    'GET /api/workflows/10': () => ok(makeDetail({ status: 'active' })),
    'GET /api/workflows/10/health': () => ok(makeHealth()),
    'GET /api/workflows/10/check': () => ok(makeWorkflowCheck()),
    'GET /api/workflows/10/check-runs': runs,
    'GET /api/check-runs/56': () => ok(makeCheckRun({ id: 56, steps: [] })),
  });
  const utils = renderApp('/workflows/10/health');
  const card = await screen.findByRole('region', { name: 'Check history' });
  return { ...fake, ...utils, card };
}

const page = (runs: CheckRun[]) => () => ok(runs, { total: runs.length, limit: 20, offset: 0 });

describe('check history on the health page', () => {
  it('lists the last 20 runs apart from colleagues’ runs: when, trigger, status, found/healed/missing, duration', async () => {
    const runs = [
      makeCheckRun({ id: 57, state: 'running', status: null, trigger: 'manual', started_at: '2026-11-25T12:00:00Z', finished_at: null, duration_ms: null, steps_found: 1, steps_total: 3 }),
      makeCheckRun({ id: 56, trigger: 'schedule', status: 'at_risk', mode: 'replay', started_at: '2026-11-25T11:00:00Z', duration_ms: 8_200, steps_found: 1, steps_healed: 1, steps_missing: 1 }),
      makeCheckRun({ id: 55, trigger: 'schedule', status: 'passed', started_at: null, created_at: '2026-11-25T10:00:00Z', duration_ms: 640 }),
      makeCheckRun({ id: 54, state: 'queued', status: null, started_at: null, created_at: '2026-11-25T09:00:00Z', duration_ms: null }),
    ];
    const { card, calls, router } = await openHistory(page(runs));
    const table = await within(card).findByRole('table', { name: 'Check runs, newest first' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['When', 'Trigger', 'Status', 'Found', 'Healed', 'Missing', 'Duration']);
    const cells = (id: number) => within(screen.getByTestId(`check-run-row-${id}`)).getAllByRole('cell').map((td) => td.textContent);
    expect(cells(57)).toEqual(['25 Nov 2026, 12:00', 'Check now · Locate', 'Running', '1', '0', '0', '—']);
    expect(cells(56)).toEqual(['25 Nov 2026, 11:00', 'Scheduled · Replay', 'At risk', '1', '1', '1', '8.2 s']);
    // Without a start time the run is dated by when it was queued.
    expect(cells(55)).toEqual(['25 Nov 2026, 10:00', 'Scheduled · Locate', 'Passed', '2', '0', '0', '640 ms']);
    expect(cells(54)[2]).toBe('Queued');
    const list = calls.find((c) => c.url.pathname === '/api/workflows/10/check-runs');
    expect(list?.url.searchParams.get('limit')).toBe('20');
    // Colleagues' runs stay in their own card.
    expect(within(screen.getByRole('region', { name: 'Recent runs' })).queryByText('At risk')).toBeNull();

    fireEvent.click(within(table).getByRole('link', { name: 'Open the check of 25 Nov 2026, 11:00' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/workflows/10/checks/56'));
  });

  it('says when there are no checks yet', async () => {
    const { card } = await openHistory(page([]));
    expect(await within(card).findByText('No checks yet. Turn the schedule on, or press Check now.')).toBeTruthy();
  });

  it('shows a failure to load with a retry', async () => {
    let fail = true;
    const { card } = await openHistory(() => (fail ? apiError(503, 'OVERLOADED', 'busy') : page([makeCheckRun()])()));
    expect(await within(card).findByText('The check history could not be loaded')).toBeTruthy();
    fail = false;
    fireEvent.click(within(card).getByRole('button', { name: 'Try again' }));
    expect(await within(card).findByTestId('check-run-row-55')).toBeTruthy();
  });
});
