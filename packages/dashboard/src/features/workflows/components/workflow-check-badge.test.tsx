import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeMe, makeWorkflow } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

describe('scheduled check in the workflow list', () => {
  it('badges a workflow at risk or with an expired session beside its status, and no other', async () => {
    signInAs(makeMe());
    const items = [
      makeWorkflow({ id: 1, name: 'Pay a supplier', status: 'active', check_status: 'at_risk' }),
      makeWorkflow({ id: 2, name: 'New hire', status: 'active', check_status: 'session_expired' }),
      makeWorkflow({ id: 3, name: 'Fine', status: 'active', check_status: 'passed' }),
      makeWorkflow({ id: 4, name: 'Never', status: 'active', check_status: null }),
      makeWorkflow({ id: 5, name: 'Old server', status: 'active' }),
    ];
    installFakeFetch({ 'GET /api/workflows': () => ok(items, { total: items.length, limit: 25, offset: 0 }) });
    renderApp('/workflows');
    const row = async (id: number) => (await screen.findByTestId(`workflow-row-${id}`)) as HTMLElement;
    const statusCell = async (id: number) => within(await row(id)).getAllByRole('cell')[1]!;
    expect((await statusCell(1)).textContent).toBe('ActiveScheduled check: At risk');
    expect(within(await row(1)).getByText('At risk').getAttribute('title')).toMatch(/could not find a step’s element/);
    expect((await statusCell(2)).textContent).toBe('ActiveScheduled check: Session expired');
    for (const id of [3, 4, 5]) {
      expect((await statusCell(id)).textContent).toBe('Active');
      expect(within(await row(id)).queryByTestId('check-status-badge')).toBeNull();
    }
  });
});
