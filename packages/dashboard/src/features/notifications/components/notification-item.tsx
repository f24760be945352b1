import { Link } from 'react-router-dom';
import { cn } from '../../../lib/cn';
import { formatDateTime, formatRelative } from '../../../lib/format';
import type { Notification } from '../../../lib/schemas';
import { notificationHref } from '../api/notifications-api';
import { notificationKind } from './notification-kind';

const icons: Record<Notification['severity'], string> = { info: 'bg-indigo-100 text-indigo-700', warning: 'bg-amber-100 text-amber-800', error: 'bg-red-100 text-red-700' };
const severityText: Record<Notification['severity'], string> = { info: 'Info', warning: 'Warning', error: 'Problem' };

/** One notification: its kind and severity, title, message, when; opening it marks it read. */
export function NotificationItem({ n, onOpen, onMarkRead, compact = false }: { n: Notification; onOpen: () => void; onMarkRead?: () => void; compact?: boolean }) {
  const kind = notificationKind(n.type);
  return (
    <div className={cn('flex gap-3 px-4 py-3', !n.read && 'bg-indigo-50/60')} data-testid={`notification-${n.id}`}>
      <span
        aria-hidden="true"
        title={kind.label}
        data-testid="notification-icon"
        className={cn('mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs font-bold leading-none', icons[n.severity])}
      >
        {kind.icon}
      </span>
      <div className="min-w-0 flex-1">
        <p className="text-sm">
          <span className="sr-only">
            {severityText[n.severity]}, {kind.label}
            {n.read ? '' : ', unread'}:{' '}
          </span>
          <Link to={notificationHref(n)} onClick={onOpen} className={cn('break-words text-slate-900 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600', !n.read && 'font-semibold')}>
            {n.title}
          </Link>
        </p>
        {n.message && <p className={cn('mt-0.5 break-words text-sm text-slate-700', compact && 'line-clamp-2')}>{n.message}</p>}
        <p className="mt-1 text-xs text-slate-600">
          <time dateTime={n.created_at} title={formatDateTime(n.created_at)}>
            {formatRelative(n.created_at)}
          </time>
        </p>
      </div>
      {onMarkRead && !n.read && (
        <button
          type="button"
          onClick={onMarkRead}
          className="h-fit shrink-0 rounded px-2 py-1 text-xs font-medium text-indigo-700 hover:bg-indigo-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
          aria-label={`Mark “${n.title}” read`}
        >
          Mark read
        </button>
      )}
    </div>
  );
}
