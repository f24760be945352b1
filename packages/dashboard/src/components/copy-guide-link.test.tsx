import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { installFakeFetch, ok } from '../testing/fake-fetch';
import { makeMe, makeWorkflow } from '../testing/fixtures';
import { renderApp, signInAs } from '../testing/render';

describe('Copy guide link', () => {
  it('is offered for published workflows in the list and copies /guide/<id>', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    signInAs(makeMe({ role: 'regular' }));
    installFakeFetch({
      'GET /api/workflows': () =>
        ok([makeWorkflow({ id: 3, name: 'Pay a supplier', status: 'active' }), makeWorkflow({ id: 4, name: 'Draft one', status: 'draft' })], { total: 2, limit: 25, offset: 0 }),
    });
    renderApp('/workflows');
    const row = await screen.findByTestId('workflow-row-3');
    expect(within(screen.getByTestId('workflow-row-4')).queryByRole('button', { name: /Copy guide link/ })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Copy guide link of Pay a supplier' }));
    expect(await screen.findByText('Guide link copied')).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/guide/3`);
  });
});
