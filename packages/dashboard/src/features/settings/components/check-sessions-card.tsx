import { useState } from 'react';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { toApiError } from '../../../lib/api-error';
import { formatDateTime } from '../../../lib/format';
import type { CheckSession } from '../../../lib/schemas';
import { useAsync } from '../../../lib/use-async';
import { toast } from '../../../stores/toast-store';
import { deleteCheckSession, listCheckSessions } from '../api/settings-api';

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/**
 * The signed-in sessions scheduled checks use, one per site: what was saved and when, and a way to
 * forget one. The sessions themselves are never sent back; the extension saves them.
 */
export function CheckSessionsCard({ className }: { className?: string }) {
  const sessions = useAsync((signal) => listCheckSessions(signal), []);
  const [deleting, setDeleting] = useState<CheckSession | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; requestId: string | null } | null>(null);

  const onDelete = async () => {
    if (!deleting) return;
    const target = deleting;
    setBusy(true);
    setProblem(null);
    try {
      await deleteCheckSession(target.id);
      toast.success('Session deleted', `Checks of ${target.origin} run signed out until a session is saved again.`);
    } catch (e) {
      const error = toApiError(e);
      if (error.status !== 404) {
        setProblem({ message: error.userMessage, requestId: error.requestId });
        setBusy(false);
        setDeleting(null);
        return;
      }
      // Already gone (another admin deleted it): the list catches up below.
    }
    sessions.setData((list) => list.filter((s) => s.id !== target.id));
    setBusy(false);
    setDeleting(null);
  };

  let body;
  if (sessions.status === 'error' && !sessions.data) body = <ErrorState error={sessions.error} title="Sessions could not be loaded" onRetry={sessions.reload} />;
  else if (!sessions.data) body = <LoadingState label="Loading sessions…" />;
  else if (sessions.data.length === 0) body = <p className="text-sm text-slate-600">No session saved: checks open each app signed out.</p>;
  else {
    body = (
      <ul aria-label="Saved sessions" className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {sessions.data.map((s) => (
          <li key={s.id} data-testid={`check-session-${s.id}`} className="flex items-center justify-between gap-4 px-4 py-3">
            <div className="min-w-0">
              <p className="break-all font-mono text-sm text-slate-900">{s.origin}</p>
              <p className="mt-0.5 text-xs text-slate-600">
                {plural(s.cookie_count, 'cookie', 'cookies')} · {plural(s.local_storage_count, 'local storage item', 'local storage items')} · captured{' '}
                <time dateTime={s.captured_at}>{formatDateTime(s.captured_at)}</time>
              </p>
            </div>
            <Button variant="danger-ghost" size="sm" aria-label={`Delete the session for ${s.origin}`} onClick={() => setDeleting(s)}>
              Delete
            </Button>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <Card
      className={className}
      title="Sessions for checks"
      headingId="check-sessions-heading"
      description={
        <>
          Scheduled checks of an app you sign in to use a session saved from the extension: open the app signed in, then choose “Save a session for checks” in the
          extension’s popup. Sessions are stored encrypted and never shown.
        </>
      }
    >
      {problem && (
        <Alert tone="error" title="The session could not be deleted" className="mb-4">
          <p>{problem.message}</p>
          {problem.requestId && <p className="mt-1 font-mono text-xs">Request ID: {problem.requestId}</p>}
        </Alert>
      )}
      {body}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete the session for ${deleting.origin}?` : 'Delete the session?'}
        confirmLabel="Delete session"
        busy={busy}
        onConfirm={() => void onDelete()}
        onCancel={() => setDeleting(null)}
      >
        <p>Checks of workflows on this site will run signed out, and report “Session expired”, until a session is saved again from the extension.</p>
      </ConfirmDialog>
    </Card>
  );
}
