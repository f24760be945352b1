import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeMe, makeNotification } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';
import { NOTIFICATION_KINDS } from './notification-kind';

describe('notification kinds', () => {
  it('every type has words and a glyph', () => {
    for (const [type, kind] of Object.entries(NOTIFICATION_KINDS)) {
      expect(kind.label, type).toBeTruthy();
      expect(kind.icon, type).toBeTruthy();
    }
  });

  it('the scheduled check’s notifications are named and drawn in the list and the bell', async () => {
    signInAs(makeMe());
    const items = [
      makeNotification({ id: 3, type: 'workflow_at_risk', severity: 'warning', title: 'Create an invoice is at risk', action_url: '/workflows/10/checks/55' }),
      makeNotification({ id: 2, type: 'check_session_expired', severity: 'warning', title: 'The session for app.example.com expired' }),
      makeNotification({ id: 1, type: 'check_passed', severity: 'info', title: 'Create an invoice passed its check', read: true }),
    ];
    installFakeFetch({
      'GET /api/notifications/unread-count': () => ok({ unread: 2 }),
      'GET /api/notifications': () => ok(items, { next_cursor: null, unread: 2 }),
    });
    renderApp('/notifications');
    const item = async (id: number) => screen.findByTestId(`notification-${id}`);
    const icon = async (id: number) => within(await item(id)).getByTestId('notification-icon');
    expect((await icon(3)).textContent).toBe('!');
    expect((await icon(3)).getAttribute('title')).toBe('Scheduled check: at risk');
    expect((await icon(3)).getAttribute('aria-hidden')).toBe('true');
    expect((await item(3)).textContent).toContain('Warning, Scheduled check: at risk, unread:');
    expect(within(await item(3)).getByRole('link', { name: 'Create an invoice is at risk' }).getAttribute('href')).toBe('/workflows/10/checks/55');
    expect((await icon(2)).getAttribute('title')).toBe('Scheduled check: session expired');
    expect((await icon(1)).textContent).toBe('✓');
    expect((await item(1)).textContent).toContain('Info, Scheduled check passed:');

    fireEvent.click(screen.getByRole('button', { name: 'Notifications, 2 unread' }));
    const panel = await screen.findByRole('region', { name: 'Notifications' });
    expect(within(await within(panel).findByTestId('notification-3')).getByTestId('notification-icon').getAttribute('title')).toBe('Scheduled check: at risk');
  });
});
