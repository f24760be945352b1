import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeFetch, json, ok, type FakeHandler } from '../../../testing/fake-fetch';
import { makeDetail, makeMe, makeWorkflowCheck } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

function open(check: FakeHandler, role: 'admin' | 'regular' = 'admin') {
  signInAs(makeMe({ role }));
  const fake = installFakeFetch({
    'GET /api/workflows/10': () => json(200, { data: makeDetail({ status: 'active' }), meta: {} }, { ETag: '"v1"' }),
    'GET /api/workflows/10/check': check,
  });
  renderApp('/workflows/10');
  return fake;
}

const header = async () => (await screen.findByRole('heading', { level: 1, name: 'Create an invoice' })).parentElement!;

describe('scheduled check on the workflow page', () => {
  it.each([
    ['at_risk', 'At risk'],
    ['session_expired', 'Session expired'],
  ] as const)('badges %s beside the status', async (status, label) => {
    open(() => ok(makeWorkflowCheck({ status })));
    const h = await header();
    expect(await within(h).findByText(label)).toBeTruthy();
    expect(within(h).getByTestId('check-status-badge').textContent).toBe(`Scheduled check: ${label}`);
  });

  it('shows nothing for a check that passed, or one that cannot be read', async () => {
    const { calls } = open(() => ok(makeWorkflowCheck({ status: 'passed' })));
    const h = await header();
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/workflows/10/check')).toBe(true));
    expect(within(h).queryByTestId('check-status-badge')).toBeNull();
  });

  it('asks only for admins, and a refusal shows no badge and no toast', async () => {
    const member = open(() => ok(makeWorkflowCheck({ status: 'at_risk' })), 'regular');
    await header();
    expect(member.calls.some((c) => c.url.pathname === '/api/workflows/10/check')).toBe(false);
  });

  it('a failed read shows no badge and no toast', async () => {
    const { calls } = open(() => apiError(503, 'OVERLOADED', 'busy'));
    const h = await header();
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/workflows/10/check')).toBe(true));
    expect(within(h).queryByTestId('check-status-badge')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
