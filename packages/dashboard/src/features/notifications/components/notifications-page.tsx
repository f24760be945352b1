import { useEffect, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { type ApiError, toApiError } from '../../../lib/api-error';
import { useLiveEvent } from '../../../lib/event-stream';
import type { Notification } from '../../../lib/schemas';
import { toast } from '../../../stores/toast-store';
import { listNotifications, markAllRead, markRead } from '../api/notifications-api';
import { isNotification, useNotificationsStore } from '../stores/notifications-store';
import { NotificationItem } from './notification-item';

const PAGE = 25;

/** Every notification, newest first, a page at a time. */
export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const unread = useNotificationsStore((s) => s.unread);

  useEffect(() => {
    document.title = 'Notifications · Stepwise';
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setItems(null);
    setError(null);
    listNotifications({ limit: PAGE, ...(unreadOnly ? { unread: true } : {}) }, controller.signal).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        useNotificationsStore.getState().setUnread(page.unread);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(toApiError(e));
      },
    );
    return () => controller.abort();
  }, [unreadOnly, attempt]);

  useLiveEvent('notification', (data) => {
    if (isNotification(data)) setItems((list) => (list && !list.some((n) => n.id === data.id) ? [data, ...list] : list));
  });

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await listNotifications({ limit: PAGE, cursor, ...(unreadOnly ? { unread: true } : {}) });
      setItems((list) => [...(list ?? []), ...page.items.filter((n) => !list?.some((x) => x.id === n.id))]);
      setCursor(page.nextCursor);
    } catch (e) {
      toast.error({ title: 'More notifications could not be loaded', message: toApiError(e).userMessage });
    } finally {
      setLoadingMore(false);
    }
  };

  const readOne = (id: number) => {
    const at = new Date().toISOString();
    setItems((list) => list?.map((n) => (n.id === id ? { ...n, read: true, read_at: at } : n)) ?? null);
    useNotificationsStore.getState().markRead(id);
    markRead(id).catch(() => setAttempt((a) => a + 1));
  };

  const readAll = async () => {
    const at = new Date().toISOString();
    setItems((list) => (unreadOnly ? [] : list?.map((n) => ({ ...n, read: true, read_at: n.read_at ?? at })) ?? null));
    useNotificationsStore.getState().markAllRead();
    try {
      const marked = await markAllRead();
      toast.success(marked === 1 ? '1 notification marked read' : `${marked} notifications marked read`);
    } catch {
      setAttempt((a) => a + 1);
    }
  };

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold text-slate-900">Notifications</h1>
          <p className="mt-1 text-sm text-slate-600">Alerts about your company’s workflows: broken, healed, ready for review.</p>
        </div>
        <div className="flex shrink-0 items-center gap-4 whitespace-nowrap">
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} className="h-4 w-4 rounded border-slate-400 text-indigo-600 focus:ring-indigo-500" />
            Unread only
          </label>
          <Button variant="secondary" onClick={() => void readAll()} disabled={!unread}>
            Mark all read
          </Button>
        </div>
      </div>
      {error ? (
        <ErrorState error={error} title="Notifications could not be loaded" onRetry={() => setAttempt((a) => a + 1)} />
      ) : items === null ? (
        <LoadingState label="Loading notifications…" />
      ) : items.length === 0 ? (
        <EmptyState title={unreadOnly ? 'Nothing unread' : 'No notifications yet'}>You will hear here when a workflow breaks, heals, or is ready for review.</EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <ul className="divide-y divide-slate-100">
            {items.map((n) => (
              <li key={n.id}>
                <NotificationItem n={n} onOpen={() => !n.read && readOne(n.id)} onMarkRead={() => readOne(n.id)} />
              </li>
            ))}
          </ul>
          {cursor && (
            <div className="border-t border-slate-200 px-4 py-3 text-center">
              <Button variant="secondary" size="sm" busy={loadingMore} onClick={() => void loadMore()}>
                Load older notifications
              </Button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
