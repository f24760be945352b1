import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Spinner } from '../../../components/ui/spinner';
import { useLiveEvent } from '../../../lib/event-stream';
import { useLiveStore } from '../../../stores/live-store';
import { fetchUnreadCount, listNotifications, markAllRead, markRead } from '../api/notifications-api';
import { RECENT_LIMIT, isNotification, useNotificationsStore } from '../stores/notifications-store';
import { NotificationItem } from './notification-item';

const POLL_MS = 60_000;

/** The bell in the header (admins): a live unread count and the newest notifications. */
export function NotificationBell() {
  const { unread, recent, recentLoaded } = useNotificationsStore();
  const liveStatus = useLiveStore((s) => s.status);
  const [open, setOpen] = useState(false);
  const [loading, setLoading] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const store = useNotificationsStore.getState;

  const refreshCount = useCallback(() => {
    fetchUnreadCount().then(
      (n) => store().setUnread(n),
      () => undefined,
    );
  }, [store]);

  // The count on start, on every (re)connection of the stream (events may have been missed), and
  // every minute while the stream is down.
  useEffect(() => {
    if (liveStatus === 'open' || liveStatus === 'idle' || liveStatus === 'unavailable') refreshCount();
    if (liveStatus === 'open') return;
    const t = setInterval(refreshCount, POLL_MS);
    return () => clearInterval(t);
  }, [liveStatus, refreshCount]);

  useEffect(() => () => store().reset(), [store]);

  useLiveEvent('notification', (data) => {
    if (isNotification(data)) store().receive(data);
  });

  useEffect(() => {
    if (!open) return;
    setLoading(true);
    const controller = new AbortController();
    listNotifications({ limit: RECENT_LIMIT }, controller.signal).then(
      (page) => {
        store().setRecent(page.items);
        store().setUnread(page.unread);
        setLoading(false);
      },
      () => setLoading(false),
    );
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => {
      controller.abort();
      document.removeEventListener('mousedown', onDown);
    };
  }, [open, store]);

  const onOpenItem = (id: number, read: boolean) => {
    setOpen(false);
    if (read) return;
    store().markRead(id);
    markRead(id).catch(() => refreshCount());
  };

  const onAllRead = () => {
    store().markAllRead();
    markAllRead().catch(() => refreshCount());
  };

  const count = unread ?? 0;
  const label = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;

  return (
    <div
      ref={rootRef}
      className="relative"
      data-live-status={liveStatus}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="relative rounded-full p-2 text-slate-700 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        <svg viewBox="0 0 24 24" className="h-6 w-6" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        {count > 0 && (
          <span data-testid="unread-badge" className="absolute -right-0.5 -top-0.5 flex h-5 min-w-[1.25rem] items-center justify-center rounded-full bg-red-600 px-1 text-xs font-semibold text-white" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      <span className="sr-only" role="status" aria-live="polite">
        {unread === null ? '' : label}
      </span>
      {open && (
        <section id={panelId} aria-label="Notifications" className="absolute right-0 z-30 mt-2 w-[26rem] overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xl">
          <header className="flex items-center justify-between border-b border-slate-200 px-4 py-3">
            <h2 className="text-sm font-semibold text-slate-900">Notifications</h2>
            <button
              type="button"
              onClick={onAllRead}
              disabled={count === 0}
              className="rounded px-2 py-1 text-xs font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:text-slate-400"
            >
              Mark all read
            </button>
          </header>
          <div className="max-h-[28rem] divide-y divide-slate-100 overflow-y-auto">
            {loading && !recentLoaded ? (
              <p className="flex items-center justify-center gap-2 py-8 text-sm text-slate-600">
                <Spinner size="sm" /> Loading…
              </p>
            ) : recent.length === 0 ? (
              <p className="px-4 py-8 text-center text-sm text-slate-600">No notifications. You will hear here when a workflow breaks, heals or is ready for review.</p>
            ) : (
              recent.map((n) => <NotificationItem key={n.id} n={n} compact onOpen={() => onOpenItem(n.id, n.read)} />)
            )}
          </div>
          <footer className="border-t border-slate-200 px-4 py-2 text-center">
            <Link to="/notifications" onClick={() => setOpen(false)} className="text-sm font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
              See all notifications
            </Link>
          </footer>
        </section>
      )}
    </div>
  );
}
