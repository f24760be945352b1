import { api } from '../../../lib/api-client';
import type { Notification } from '../../../lib/schemas';

// Background reads (the bell) are silent: a failed count is not worth a toast.
export async function fetchUnreadCount(signal?: AbortSignal): Promise<number> {
  const data = await api.get('/api/notifications/unread-count', signal ? { signal, silent: true } : { silent: true });
  return data.unread;
}

export interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
  unread: number;
}

export async function listNotifications(query: { unread?: boolean; limit?: number; cursor?: string }, signal?: AbortSignal): Promise<NotificationPage> {
  const r = await api.list('/api/notifications', signal ? { query, signal, silent: true } : { query, silent: true });
  return { items: r.data, nextCursor: r.meta.next_cursor ?? null, unread: r.meta.unread };
}

export function markRead(id: number): Promise<Notification> {
  return api.post('/api/notifications/{id}/read', { path: { id } });
}

export async function markAllRead(): Promise<number> {
  return (await api.post('/api/notifications/read-all')).marked;
}

/**
 * Where a notification leads: its `action_url` when it is a path inside the dashboard (never
 * another site or a `javascript:` URL), else the workflow's page, else the notifications page.
 */
export function notificationHref(n: Pick<Notification, 'action_url' | 'workflow_id'>): string {
  const url = n.action_url?.trim() ?? '';
  if (/^\/(?![/\\])/.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.origin === window.location.origin) return parsed.pathname + parsed.search + parsed.hash;
  } catch {
    // not a URL
  }
  return n.workflow_id ? `/workflows/${n.workflow_id}` : '/notifications';
}
