import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeEventSource } from '../../../testing/fake-event-source';
import { installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeMe, makeNotification } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const emptyList = () => ok([], { total: 0, limit: 25, offset: 0 });

describe('notification bell', () => {
  it('shows the unread count, which rises live when a notification arrives', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows': emptyList, 'GET /api/notifications/unread-count': () => ok({ unread: 2 }) });
    renderApp('/workflows');
    const bell = await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    expect(within(bell).getByTestId('unread-badge').textContent).toBe('2');
    act(() => FakeEventSource.last.open());
    act(() => FakeEventSource.last.emit('notification', makeNotification({ id: 9 })));
    expect(await screen.findByRole('button', { name: 'Notifications, 3 unread' })).toBeTruthy();
  });

  it('lists the newest, opens one (marking it read) and marks all read', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/workflows': emptyList,
      'GET /api/notifications/unread-count': () => ok({ unread: 2 }),
      'GET /api/notifications': () => ok([makeNotification({ id: 2, title: 'Second' }), makeNotification({ id: 1, title: 'First', severity: 'info' })], { next_cursor: null, unread: 2 }),
      'POST /api/notifications/2/read': () => ok(makeNotification({ id: 2, read: true })),
      'POST /api/notifications/read-all': () => ok({ marked: 1 }),
      'GET /api/workflows/10': () => ok({}),
    });
    const { router } = renderApp('/workflows');
    fireEvent.click(await screen.findByRole('button', { name: 'Notifications, 2 unread' }));
    const panel = await screen.findByRole('region', { name: 'Notifications' });
    await within(panel).findByRole('link', { name: 'Second' });
    fireEvent.click(within(panel).getByRole('button', { name: 'Mark all read' }));
    expect(await screen.findByRole('button', { name: 'Notifications, none unread' })).toBeTruthy();
    expect(calls.some((c) => c.url.pathname === '/api/notifications/read-all')).toBe(true);
    fireEvent.click(within(screen.getByRole('region', { name: 'Notifications' })).getByRole('link', { name: 'Second' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/workflows/10/health'));
    expect(screen.queryByRole('region', { name: 'Notifications' })).toBeNull();
  });

  it('a member has no bell', async () => {
    signInAs(makeMe({ role: 'regular' }));
    const { calls } = installFakeFetch({ 'GET /api/workflows': emptyList });
    renderApp('/workflows');
    await screen.findByRole('heading', { name: 'No workflows published yet' });
    expect(screen.queryByRole('button', { name: /^Notifications/ })).toBeNull();
    expect(calls.some((c) => c.url.pathname.startsWith('/api/notifications'))).toBe(false);
  });

  it('the notifications page lists, filters unread, loads older ones and marks one read', async () => {
    signInAs(makeMe());
    const { calls } = installFakeFetch({
      'GET /api/notifications/unread-count': () => ok({ unread: 1 }),
      'GET /api/notifications': (req) =>
        req.url.searchParams.get('cursor')
          ? ok([makeNotification({ id: 1, title: 'Oldest', read: true })], { next_cursor: null, unread: 1 })
          : req.url.searchParams.get('unread') === 'true'
            ? ok([makeNotification({ id: 3, title: 'Newest' })], { next_cursor: null, unread: 1 })
            : ok([makeNotification({ id: 3, title: 'Newest' }), makeNotification({ id: 2, title: 'Middle', read: true })], { next_cursor: '2', unread: 1 }),
      'POST /api/notifications/3/read': () => ok(makeNotification({ id: 3, read: true })),
    });
    renderApp('/notifications');
    expect(await screen.findByRole('link', { name: 'Middle' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load older notifications' }));
    expect(await screen.findByRole('link', { name: 'Oldest' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load older notifications' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Mark “Newest” read' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/notifications/3/read')).toBe(true));
    expect(screen.queryByRole('button', { name: 'Mark “Newest” read' })).toBeNull();
    fireEvent.click(screen.getByLabelText('Unread only'));
    await waitFor(() => expect(screen.queryByRole('link', { name: 'Middle' })).toBeNull());
    expect(screen.getByRole('link', { name: 'Newest' })).toBeTruthy();
  });
});
