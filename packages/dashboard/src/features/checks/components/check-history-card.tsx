import { Link } from 'react-router-dom';
import { Badge } from '../../../components/ui/badge';
import { Card } from '../../../components/ui/card';
import { CheckStatusBadge } from '../../../components/ui/check-status-badge';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState, Spinner } from '../../../components/ui/spinner';
import type { AsyncState } from '../../../lib/use-async';
import { formatDateTime } from '../../../lib/format';
import type { CheckRun } from '../../../lib/schemas';
import { MODE_LABELS, TRIGGER_LABELS, formatDuration, runStateLabel } from './check-labels';

const th = 'px-4 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600';
const num = 'px-4 py-2 text-right tabular-nums';

/** The workflow's last check runs (the server's own, apart from colleagues' runs); each opens its filmstrip. */
export function CheckHistoryCard({ workflowId, runs, onRetry }: { workflowId: number; runs: AsyncState<CheckRun[]>; onRetry: () => void }) {
  let body;
  if (runs.status === 'error' && !runs.data) body = <ErrorState error={runs.error} title="The check history could not be loaded" onRetry={onRetry} />;
  else if (!runs.data) body = <LoadingState label="Loading check history…" />;
  else if (runs.data.length === 0) body = <p className="text-sm text-slate-600">No checks yet. Turn the schedule on, or press Check now.</p>;
  else {
    body = (
      <table className="min-w-full text-sm">
        <caption className="sr-only">Check runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col" className={th}>When</th>
            <th scope="col" className={th}>Trigger</th>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={`${th} text-right`}>Found</th>
            <th scope="col" className={`${th} text-right`}>Healed</th>
            <th scope="col" className={`${th} text-right`}>Missing</th>
            <th scope="col" className={`${th} text-right`}>Duration</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {runs.data.map((r) => {
            const pending = runStateLabel(r);
            return (
              <tr key={r.id} data-testid={`check-run-row-${r.id}`}>
                <td className="px-4 py-2">
                  <Link
                    to={`/workflows/${workflowId}/checks/${r.id}`}
                    aria-label={`Open the check of ${formatDateTime(r.started_at ?? r.created_at)}`}
                    className="font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
                  >
                    {formatDateTime(r.started_at ?? r.created_at)}
                  </Link>
                </td>
                <td className="px-4 py-2 text-slate-700">
                  {TRIGGER_LABELS[r.trigger] ?? r.trigger}
                  <span className="text-slate-500"> · {MODE_LABELS[r.mode] ?? r.mode}</span>
                </td>
                <td className="px-4 py-2">{pending ? <Badge tone="indigo">{pending}</Badge> : <CheckStatusBadge status={r.status} />}</td>
                <td className={`${num} text-slate-800`}>{r.steps_found}</td>
                <td className={`${num} text-slate-800`}>{r.steps_healed}</td>
                <td className={`${num} ${r.steps_missing > 0 ? 'text-red-700' : 'text-slate-800'}`}>{r.steps_missing}</td>
                <td className={`${num} text-slate-700`}>{formatDuration(r.duration_ms)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    );
  }
  return (
    <Card
      title="Check history"
      headingId="check-history-heading"
      description="The server’s own checks of this workflow, newest first; colleagues’ runs are under Recent runs."
      actions={runs.status === 'loading' && runs.data ? <Spinner size="sm" className="text-slate-500" /> : undefined}
    >
      {runs.status === 'error' && runs.data && <ErrorState error={runs.error} title="The check history could not be refreshed" onRetry={onRetry} />}
      {body}
    </Card>
  );
}
