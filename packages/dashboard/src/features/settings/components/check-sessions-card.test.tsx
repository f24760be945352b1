import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CheckSession } from '../../../lib/schemas';
import { apiError, installFakeFetch, json, ok, type FakeHandler } from '../../../testing/fake-fetch';
import { makeCheckSession, makeCompany, makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const users: FakeHandler = () => ok([makeUser({ id: 1, name: 'Ada Lovelace', role: 'admin' })], { total: 1, limit: 20, offset: 0 });

async function openCard(sessions: CheckSession[] | FakeHandler, remove: FakeHandler = () => json(204, null)) {
  signInAs(makeMe());
  const fake = installFakeFetch({
    'GET /api/company': () => ok(makeCompany()),
    'GET /api/users': users,
    'GET /api/check-sessions': typeof sessions === 'function' ? sessions : () => ok(sessions),
    'DELETE /api/check-sessions/3': remove,
  });
  renderApp('/settings');
  const card = await screen.findByRole('region', { name: 'Sessions for checks' });
  return { ...fake, card };
}

const two = [makeCheckSession(), makeCheckSession({ id: 4, origin: 'https://hr.example.com', cookie_count: 1, local_storage_count: 0, captured_at: '2026-11-20T08:30:00Z' })];

describe('sessions for checks', () => {
  it('says where sessions come from and lists each origin with what was saved and when', async () => {
    const { card } = await openCard(two);
    expect(card.textContent).toContain('“Save a session for checks” in the extension’s popup');
    const list = await within(card).findByRole('list', { name: 'Saved sessions' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('p')?.textContent)).toEqual(['https://app.example.com', 'https://hr.example.com']);
    expect(items[0]!.textContent).toContain('4 cookies · 1 local storage item · captured 25 Nov 2026, 09:00');
    expect(items[1]!.textContent).toContain('1 cookie · 0 local storage items · captured 20 Nov 2026, 08:30');
  });

  it('deletes a session only after confirmation', async () => {
    const { card, calls } = await openCard(two);
    const del = await within(card).findByRole('button', { name: 'Delete the session for https://app.example.com' });
    fireEvent.click(del);
    let dialog = screen.getByRole('alertdialog', { name: 'Delete the session for https://app.example.com?' });
    expect(dialog.textContent).toMatch(/run signed out/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    fireEvent.click(del);
    dialog = screen.getByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete session' }));
    expect(await screen.findByText('Session deleted')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url.pathname)).toEqual(['/api/check-sessions/3']);
    await waitFor(() => expect(within(card).queryByTestId('check-session-3')).toBeNull());
    expect(within(card).getByTestId('check-session-4')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('a session another admin already deleted leaves the list too', async () => {
    const { card } = await openCard([makeCheckSession()], () => apiError(404, 'CHECK_SESSION_NOT_FOUND', 'No such session.'));
    fireEvent.click(await within(card).findByRole('button', { name: 'Delete the session for https://app.example.com' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete session' }));
    expect(await within(card).findByText('No session saved: checks open each app signed out.')).toBeTruthy();
  });

  it('a failed delete keeps the session and says why', async () => {
    const { card } = await openCard([makeCheckSession()], () => apiError(503, 'OVERLOADED', 'busy'));
    fireEvent.click(await within(card).findByRole('button', { name: 'Delete the session for https://app.example.com' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete session' }));
    const alert = await within(card).findByRole('alert');
    expect(alert.textContent).toContain('The session could not be deleted');
    expect(alert.textContent).toContain('The server is busy. Please try again shortly.');
    expect(within(card).getByTestId('check-session-3')).toBeTruthy();
  });

  it('says when there is none, and shows a failed load with a retry', async () => {
    let fail = true;
    const { card } = await openCard(() => (fail ? apiError(503, 'OVERLOADED', 'busy') : ok([])));
    expect(await within(card).findByText('Sessions could not be loaded')).toBeTruthy();
    fail = false;
    fireEvent.click(within(card).getByRole('button', { name: 'Try again' }));
    expect(await within(card).findByText('No session saved: checks open each app signed out.')).toBeTruthy();
  });
});
