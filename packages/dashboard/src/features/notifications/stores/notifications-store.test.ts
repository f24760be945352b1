import { describe, expect, it } from 'vitest';
import { makeNotification } from '../../../testing/fixtures';
import { type NotificationsState, RECENT_LIMIT, allRead, emptyNotifications, isNotification, markedRead, received } from './notifications-store';
import { notificationHref } from '../api/notifications-api';

describe('notifications store', () => {
  it('a new notification goes on top and counts as unread once, even when replayed', () => {
    let s: NotificationsState = { ...emptyNotifications, unread: 2 };
    s = received(s, makeNotification({ id: 5 }));
    s = received(s, makeNotification({ id: 5 }));
    expect(s.unread).toBe(3);
    expect(s.recent.map((n) => n.id)).toEqual([5]);
    s = received(s, makeNotification({ id: 6, read: true }));
    expect(s.unread).toBe(3);
    expect(s.recent.map((n) => n.id)).toEqual([6, 5]);
  });

  it('keeps only the newest few', () => {
    let s = emptyNotifications;
    for (let i = 1; i <= RECENT_LIMIT + 3; i++) s = received(s, makeNotification({ id: i }));
    expect(s.recent).toHaveLength(RECENT_LIMIT);
    expect(s.recent[0]?.id).toBe(RECENT_LIMIT + 3);
    expect(s.unread).toBe(RECENT_LIMIT + 3);
  });

  it('marking read lowers the count once; all read empties it', () => {
    let s = received(received({ ...emptyNotifications, unread: 0 }, makeNotification({ id: 1 })), makeNotification({ id: 2 }));
    s = markedRead(s, 1, '2026-11-26T00:00:00Z');
    s = markedRead(s, 1, '2026-11-26T00:00:00Z');
    expect(s.unread).toBe(1);
    expect(s.recent.find((n) => n.id === 1)).toMatchObject({ read: true, read_at: '2026-11-26T00:00:00Z' });
    s = allRead(s, '2026-11-26T00:01:00Z');
    expect(s.unread).toBe(0);
    expect(s.recent.every((n) => n.read)).toBe(true);
  });

  it('recognises a notification event and never links outside the dashboard', () => {
    expect(isNotification(makeNotification())).toBe(true);
    expect(isNotification({ id: 1 })).toBe(false);
    expect(notificationHref(makeNotification())).toBe('/workflows/10/health');
    expect(notificationHref(makeNotification({ action_url: 'javascript:alert(1)' }))).toBe('/workflows/10');
    expect(notificationHref(makeNotification({ action_url: '//evil.example/x' }))).toBe('/workflows/10');
    expect(notificationHref(makeNotification({ action_url: 'https://evil.example/x' }))).toBe('/workflows/10');
    expect(notificationHref(makeNotification({ action_url: `${window.location.origin}/heal-reviews?x=1` }))).toBe('/heal-reviews?x=1');
    expect(notificationHref(makeNotification({ action_url: null, workflow_id: null }))).toBe('/notifications');
  });
});
