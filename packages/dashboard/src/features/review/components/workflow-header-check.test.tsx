import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../lib/schemas';
import { installFakeFetch, json } from '../../../testing/fake-fetch';
import { makeDetail, makeMe } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

function open(checkStatus: CheckStatus | null, role: 'admin' | 'regular' = 'admin') {
  signInAs(makeMe({ role }));
  const fake = installFakeFetch({
    'GET /api/workflows/10': () => json(200, { data: makeDetail({ status: 'active', check_status: checkStatus }), meta: {} }, { ETag: '"v1"' }),
  });
  renderApp('/workflows/10');
  return fake;
}

const header = async () => (await screen.findByRole('heading', { level: 1, name: 'Create an invoice' })).parentElement!;

describe('scheduled check on the workflow page', () => {
  it.each([
    ['at_risk', 'At risk'],
    ['session_expired', 'Session expired'],
  ] as const)('badges %s beside the status, from the workflow itself', async (status, label) => {
    const { calls } = open(status);
    const h = await header();
    expect(await within(h).findByText(label)).toBeTruthy();
    expect(within(h).getByTestId('check-status-badge').textContent).toBe(`Scheduled check: ${label}`);
    expect(calls.some((c) => c.url.pathname === '/api/workflows/10/check')).toBe(false);
  });

  it.each([['passed'], [null]] as const)('shows nothing for %s', async (status) => {
    open(status);
    const h = await header();
    expect(within(h).queryByTestId('check-status-badge')).toBeNull();
  });

  it('shows nothing to colleagues', async () => {
    open('at_risk', 'regular');
    const h = await header();
    expect(within(h).queryByTestId('check-status-badge')).toBeNull();
  });
});
