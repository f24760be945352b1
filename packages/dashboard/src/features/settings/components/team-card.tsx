import { useState } from 'react';
import type { Role, User } from '@stepwise/api-types';
import { Alert } from '../../../components/ui/alert';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState, Spinner } from '../../../components/ui/spinner';
import { toApiError } from '../../../lib/api-error';
import { formatDate, formatDateTime } from '../../../lib/format';
import { useAsync } from '../../../lib/use-async';
import { useAuthStore } from '../../../stores/auth-store';
import { toast } from '../../../stores/toast-store';
import { changeRole, fetchUsers, removeUser } from '../api/settings-api';

export const LAST_ADMIN_EXPLANATION = 'A company always needs at least one admin. Make someone else an admin first, then try again.';

interface Problem {
  title: string;
  message: string;
  requestId: string | null;
}

function problemFrom(e: unknown, action: string): Problem {
  const error = toApiError(e);
  if (error.code === 'LAST_ADMIN') return { title: `${action}: this is the last admin`, message: LAST_ADMIN_EXPLANATION, requestId: error.requestId };
  if (error.code === 'USER_NOT_FOUND') return { title: `${action}: this person is no longer on the team`, message: 'The list has been refreshed.', requestId: error.requestId };
  return { title: `${action} failed`, message: error.userMessage, requestId: error.requestId };
}

export function TeamCard({ pageSize = 20, onTeamSizeChanged }: { pageSize?: number; onTeamSizeChanged?: (delta: number) => void }) {
  const meId = useAuthStore((s) => s.me?.id);
  const [offset, setOffset] = useState(0);
  const page = useAsync((signal) => fetchUsers({ limit: pageSize, offset }, signal), [offset, pageSize]);
  const [savingId, setSavingId] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const [removeBusy, setRemoveBusy] = useState(false);

  const onRoleChange = async (user: User, role: Role) => {
    if (role === user.role) return;
    setSavingId(user.id);
    setProblem(null);
    try {
      const updated = await changeRole(user.id, role);
      page.setData((p) => ({ ...p, users: p.users.map((u) => (u.id === updated.id ? updated : u)) }));
      if (updated.id === meId) useAuthStore.getState().setMyRole(updated.role);
      toast.success(role === 'admin' ? `${updated.name} is now an admin` : `${updated.name} is now a member`);
    } catch (e) {
      const p = problemFrom(e, `Changing ${user.name}’s role`);
      setProblem(p);
      if (toApiError(e).code === 'USER_NOT_FOUND') page.reload();
    } finally {
      setSavingId(null);
    }
  };

  const onRemove = async () => {
    if (!removing) return;
    setRemoveBusy(true);
    setProblem(null);
    try {
      await removeUser(removing.id);
      toast.success(`${removing.name} was removed from the team`);
      onTeamSizeChanged?.(-1);
      const total = page.data?.meta.total ?? 1;
      if (offset > 0 && offset >= total - 1) setOffset(Math.max(0, offset - pageSize));
      else page.reload();
    } catch (e) {
      setProblem(problemFrom(e, `Removing ${removing.name}`));
      if (toApiError(e).code === 'USER_NOT_FOUND') page.reload();
    } finally {
      setRemoveBusy(false);
      setRemoving(null);
    }
  };

  const meta = page.data?.meta;
  const total = meta?.total ?? 0;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + (page.data?.users.length ?? 0), total);

  let body;
  if (page.status === 'loading' && !page.data) body = <LoadingState label="Loading the team…" />;
  else if (page.status === 'error' && !page.data) body = <ErrorState error={page.error} title="The team could not be loaded" onRetry={page.reload} />;
  else if (page.data && page.data.users.length === 0) {
    body = <EmptyState title="No one here yet">Share the invite link above so your colleagues can join.</EmptyState>;
  } else if (page.data) {
    body = (
      <div className="overflow-hidden rounded-md border border-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Team members, {first} to {last} of {total}</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">Name</th>
              <th scope="col" className="px-4 py-3">Email</th>
              <th scope="col" className="px-4 py-3">Role</th>
              <th scope="col" className="px-4 py-3">Joined</th>
              <th scope="col" className="px-4 py-3">Last sign-in</th>
              <th scope="col" className="px-4 py-3 text-right">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 bg-white">
            {page.data.users.map((user) => {
              const isMe = user.id === meId;
              return (
                <tr key={user.id} data-testid={`user-row-${user.id}`}>
                  <td className="px-4 py-3 font-medium text-slate-900">
                    <span>{user.name}</span>
                    {isMe && (
                      <span className="ml-2">
                        <Badge tone="indigo">You</Badge>
                      </span>
                    )}
                  </td>
                  <td className="px-4 py-3 text-slate-700">{user.email}</td>
                  <td className="px-4 py-3">
                    <div className="flex items-center gap-2">
                      <label htmlFor={`role-${user.id}`} className="sr-only">
                        Role of {user.name}
                      </label>
                      <select
                        id={`role-${user.id}`}
                        value={user.role}
                        disabled={savingId === user.id}
                        onChange={(e) => onRoleChange(user, e.target.value as Role)}
                        className="rounded-md border border-slate-300 bg-white py-1.5 pl-2 pr-8 text-sm text-slate-900 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-200 disabled:bg-slate-100"
                      >
                        <option value="admin">Admin</option>
                        <option value="regular">Member</option>
                      </select>
                      {savingId === user.id && (
                        <span role="status" className="flex items-center gap-1 text-xs text-slate-600">
                          <Spinner size="sm" /> Saving…
                        </span>
                      )}
                    </div>
                  </td>
                  <td className="px-4 py-3 text-slate-700">{formatDate(user.created_at)}</td>
                  <td className="px-4 py-3 text-slate-700">{formatDateTime(user.last_login_at)}</td>
                  <td className="px-4 py-3 text-right">
                    {isMe ? (
                      <span className="text-xs text-slate-500">—</span>
                    ) : (
                      <Button variant="danger-ghost" size="sm" onClick={() => setRemoving(user)} aria-label={`Remove ${user.name}`}>
                        Remove
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <Card
      title="Team"
      headingId="team-heading"
      description="Admins manage the company and its team; members use the guides."
      actions={page.status === 'loading' && page.data ? <Spinner size="sm" className="text-slate-500" /> : undefined}
    >
      {problem && (
        <Alert tone="error" title={problem.title} className="mb-4">
          <p>{problem.message}</p>
          {problem.requestId && <p className="mt-1 font-mono text-xs">Request ID: {problem.requestId}</p>}
        </Alert>
      )}
      {page.status === 'error' && page.data && <ErrorState error={page.error} title="The team could not be refreshed" onRetry={page.reload} />}
      {body}
      {meta && total > 0 && (
        <nav aria-label="Team pages" className="mt-4 flex items-center justify-between text-sm text-slate-700">
          <p>
            Showing <span className="font-medium">{first}</span>–<span className="font-medium">{last}</span> of <span className="font-medium">{total}</span>
          </p>
          <div className="flex gap-2">
            <Button variant="secondary" size="sm" disabled={offset === 0 || page.status === 'loading'} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
              Previous
            </Button>
            <Button variant="secondary" size="sm" disabled={offset + pageSize >= total || page.status === 'loading'} onClick={() => setOffset(offset + pageSize)}>
              Next
            </Button>
          </div>
        </nav>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={removing ? `Remove ${removing.name}?` : 'Remove?'}
        confirmLabel="Remove from team"
        busy={removeBusy}
        onConfirm={onRemove}
        onCancel={() => setRemoving(null)}
      >
        {removing && (
          <p>
            {removing.name} ({removing.email}) loses access to the company at once. This cannot be undone; they would need the invite link to
            join again.
          </p>
        )}
      </ConfirmDialog>
    </Card>
  );
}
