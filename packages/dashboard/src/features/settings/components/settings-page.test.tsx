import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { User } from '@stepwise/api-types';
import { useAuthStore } from '../../../stores/auth-store';
import { apiError, installFakeFetch, json, ok } from '../../../testing/fake-fetch';
import { makeCompany, makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';
import { parseConfirmations } from './healing-card';

const ada = makeUser({ id: 1, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin' });
const bob = makeUser({ id: 2, name: 'Bob', email: 'bob@example.com' });

function team(users: User[], pageSize = 20) {
  return (req: { url: URL }) => {
    const limit = Number(req.url.searchParams.get('limit') ?? 50);
    const offset = Number(req.url.searchParams.get('offset') ?? 0);
    expect(limit).toBe(pageSize);
    return ok(users.slice(offset, offset + limit), { total: users.length, limit, offset });
  };
}

describe('settings', () => {
  it('shows a loading state, then the company, the invite link and the team', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/company': () => ok(makeCompany()), 'GET /api/users': team([ada, bob]) });
    renderApp('/settings');
    expect(screen.getByText('Loading settings…')).toBeTruthy();
    expect(await screen.findByDisplayValue('Analytical Engines Ltd')).toBeTruthy();
    expect((screen.getByLabelText('Link to share') as HTMLInputElement).value).toBe(`${window.location.origin}/join/tok-123`);
    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('You')).toBeTruthy();
    expect(within(rows[1]!).queryByRole('button', { name: /Remove/ })).toBeNull();
    expect((screen.getByLabelText('Role of Bob') as HTMLSelectElement).value).toBe('regular');
  });

  it('shows an error with a retry when the company cannot be loaded', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/company': () => apiError(503, 'OVERLOADED', 'busy'), 'GET /api/users': team([ada]) });
    renderApp('/settings');
    expect(await screen.findByText('Settings could not be loaded')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('renames the company and the nav follows', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': team([ada]),
      'PATCH /api/company': (req) => ok(makeCompany({ name: (req.body as { name: string }).name })),
    });
    renderApp('/settings');
    const input = await screen.findByDisplayValue('Analytical Engines Ltd');
    fireEvent.change(input, { target: { value: 'Difference Engines plc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Company name saved')).toBeTruthy();
    expect(screen.getByTestId('company-name').textContent).toBe('Difference Engines plc');
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'Difference Engines plc' });
    expect(useAuthStore.getState().me?.company.name).toBe('Difference Engines plc');
  });

  it('shows a rename problem under the field', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': team([ada]),
      'PATCH /api/company': () => apiError(422, 'VALIDATION_ERROR', 'The request is not valid', { errors: [{ pointer: '/name', message: 'must not be blank' }] }),
    });
    renderApp('/settings');
    fireEvent.change(await screen.findByDisplayValue('Analytical Engines Ltd'), { target: { value: '   ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Must not be blank')).toBeTruthy();
  });

  it('healing: shows the default of 2 until set, and saves the number of colleagues who must confirm', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': team([ada]),
      'PATCH /api/company': (req) => ok(makeCompany({ settings: (req.body as { settings: { heal_confirmations_required: number } }).settings })),
    });
    renderApp('/settings');
    const card = await screen.findByRole('region', { name: 'Healing' });
    const input = within(card).getByLabelText('Colleagues who must confirm a healed element') as HTMLInputElement;
    expect(input.value).toBe('2');
    expect(input.getAttribute('min')).toBe('1');
    expect(input.getAttribute('max')).toBe('10');
    expect(within(card).getByText(/An admin’s confirmation always counts as enough/)).toBeTruthy();
    const save = within(card).getByRole('button', { name: 'Save healing setting' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.click(save);
    expect(await screen.findByText('Healing setting saved')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ settings: { heal_confirmations_required: 3 } });
    expect(input.value).toBe('3');
    await waitFor(() => expect(save.disabled).toBe(true));
  });

  it('healing: shows the saved value; an out-of-range number is refused in place, a 422 is shown under the field', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/company': () => ok(makeCompany({ settings: { heal_confirmations_required: 4 } })),
      'GET /api/users': team([ada]),
      'PATCH /api/company': () =>
        apiError(422, 'VALIDATION_ERROR', 'The request is not valid.', { errors: [{ pointer: '/settings/heal_confirmations_required', message: 'must be at most 10' }] }),
    });
    renderApp('/settings');
    const card = await screen.findByRole('region', { name: 'Healing' });
    const input = within(card).getByLabelText('Colleagues who must confirm a healed element') as HTMLInputElement;
    expect(input.value).toBe('4');
    fireEvent.change(input, { target: { value: '11' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save healing setting' }));
    expect(within(card).getByText('Enter a whole number from 1 to 10')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
    fireEvent.change(input, { target: { value: '7' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save healing setting' }));
    expect(await within(card).findByText('Must be at most 10')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
  });

  it('copies the invite link', async () => {
    signInAs(makeMe());
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    installFakeFetch({ 'GET /api/company': () => ok(makeCompany()), 'GET /api/users': team([ada]) });
    renderApp('/settings');
    fireEvent.click(await screen.findByRole('button', { name: 'Copy link' }));
    expect(await screen.findByRole('button', { name: 'Copied ✓' })).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/join/tok-123`);
  });

  it('rotates the invite link only after confirmation', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': team([ada]),
      'POST /api/company/invite-token/rotate': () => ok({ invite_token: 'tok-new' }),
    });
    renderApp('/settings');
    fireEvent.click(await screen.findByRole('button', { name: 'Rotate link…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Replace the invite link?' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Rotate link…' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Replace link' }));
    await waitFor(() => expect((screen.getByLabelText('Link to share') as HTMLInputElement).value).toBe(`${window.location.origin}/join/tok-new`));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('promotes a member and explains LAST_ADMIN when the last admin is demoted', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': team([ada, bob]),
      'PATCH /api/users/2': (req) => ok({ ...bob, ...(req.body as object) }),
      'PATCH /api/users/1': () => apiError(409, 'LAST_ADMIN', 'The company must keep at least one admin.', {}, { 'X-Request-Id': 'req-la' }),
    });
    renderApp('/settings');
    const bobRole = (await screen.findByLabelText('Role of Bob')) as HTMLSelectElement;
    fireEvent.change(bobRole, { target: { value: 'admin' } });
    expect(await screen.findByText('Bob is now an admin')).toBeTruthy();
    expect((screen.getByLabelText('Role of Bob') as HTMLSelectElement).value).toBe('admin');

    fireEvent.change(screen.getByLabelText('Role of Ada Lovelace'), { target: { value: 'regular' } });
    expect(await screen.findByText(/A company always needs at least one admin/)).toBeTruthy();
    expect(screen.getByText('Request ID: req-la')).toBeTruthy();
    expect((screen.getByLabelText('Role of Ada Lovelace') as HTMLSelectElement).value).toBe('admin');
    expect(useAuthStore.getState().me?.role).toBe('admin');
  });

  it('removes a member after confirmation and refreshes the team', async () => {
    signInAs(makeMe());
    let users = [ada, bob];
    const { calls } = installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': (req) => team(users)(req),
      'DELETE /api/users/2': () => {
        users = [ada];
        return json(204, null);
      },
    });
    renderApp('/settings');
    fireEvent.click(await screen.findByRole('button', { name: 'Remove Bob' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove Bob?' });
    expect(within(dialog).getByText(/bob@example.com/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove from team' }));
    expect(await screen.findByText('Bob was removed from the team')).toBeTruthy();
    await waitFor(() => expect(screen.queryByLabelText('Role of Bob')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
    expect(screen.getByText(/1 person/)).toBeTruthy();
  });

  it('pages through a large team', async () => {
    signInAs(makeMe());
    const many = [ada, ...Array.from({ length: 24 }, (_, i) => makeUser({ id: i + 2, name: `Person ${i + 2}`, email: `p${i + 2}@example.com` }))];
    installFakeFetch({ 'GET /api/company': () => ok(makeCompany({ user_count: 25 })), 'GET /api/users': team(many) });
    renderApp('/settings');
    await screen.findByLabelText('Role of Person 20');
    const pager = screen.getByRole('navigation', { name: 'Team pages' });
    expect(pager.textContent).toContain('Showing 1–20 of 25');
    expect((within(pager).getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(pager).getByRole('button', { name: 'Next' }));
    expect(await screen.findByLabelText('Role of Person 25')).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Team pages' }).textContent).toContain('Showing 21–25 of 25');
    expect(screen.queryByLabelText('Role of Person 2')).toBeNull();
  });

  it('shows the team error state with a retry', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/company': () => ok(makeCompany()), 'GET /api/users': () => apiError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.') });
    renderApp('/settings');
    expect(await screen.findByText('The team could not be loaded')).toBeTruthy();
  });
});

describe('healing setting input', () => {
  it('accepts whole numbers from 1 to 10 only', () => {
    expect(parseConfirmations(' 1 ')).toEqual({ value: 1 });
    expect(parseConfirmations('10')).toEqual({ value: 10 });
    for (const bad of ['', '0', '11', '2.5', '-1', 'two']) expect(parseConfirmations(bad)).toEqual({ error: 'Enter a whole number from 1 to 10' });
  });
});
