import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Company } from '@stepwise/api-types';
import { apiError, installFakeFetch, ok, type FakeHandler } from '../../../testing/fake-fetch';
import { makeCompany, makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const users: FakeHandler = () => ok([makeUser({ id: 1, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin' })], { total: 1, limit: 20, offset: 0 });

async function openCard(company: Company, patch: FakeHandler) {
  signInAs(makeMe());
  const fake = installFakeFetch({ 'GET /api/company': () => ok(company), 'GET /api/users': users, 'PATCH /api/company': patch });
  renderApp('/settings');
  const card = await screen.findByRole('region', { name: 'Guide launcher' });
  const toggle = within(card).getByRole('switch', { name: 'Show the Guides button to colleagues with the extension' }) as HTMLButtonElement;
  return { ...fake, card, toggle };
}

describe('guide launcher card', () => {
  it('is off until set, explains itself in one line, and turns on through PATCH /api/company', async () => {
    const { card, toggle, calls } = await openCard(makeCompany(), (req) => ok(makeCompany({ settings: (req.body as { settings: Company['settings'] }).settings })));
    expect(within(card).getByText(/A “Guides” button on pages of sites with published guides/)).toBeTruthy();
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(toggle);
    expect(await screen.findByText('Guide launcher on')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ settings: { launcher_enabled: true } }]);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(toggle.disabled).toBe(false);
  });

  it('turns off when on', async () => {
    const { toggle, calls } = await openCard(makeCompany({ settings: { launcher_enabled: true } }), () => ok(makeCompany({ settings: { launcher_enabled: false } })));
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    fireEvent.click(toggle);
    expect(await screen.findByText('Guide launcher off')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ settings: { launcher_enabled: false } });
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('false'));
  });

  it('a refusal is shown in the card and the switch keeps the saved state', async () => {
    const { card, toggle } = await openCard(makeCompany(), () => apiError(403, 'FORBIDDEN', 'Only admins can change company settings.'));
    fireEvent.click(toggle);
    expect((await within(card).findByRole('alert')).textContent).toBeTruthy();
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect(toggle.getAttribute('aria-describedby')).toBe(within(card).getByRole('alert').id);
  });
});
