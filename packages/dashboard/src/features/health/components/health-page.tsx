import { type ReactNode, useEffect, useId, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Badge } from '../../../components/ui/badge';
import { Card } from '../../../components/ui/card';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { StatusBadge } from '../../../components/ui/status-badge';
import { toApiError } from '../../../lib/api-error';
import { formatDateTime } from '../../../lib/format';
import type { HealthRun, WorkflowDetail } from '../../../lib/schemas';
import { useAsync } from '../../../lib/use-async';
import { formatRate } from '../../../lib/workflow-format';
import { type ChartPoint, chartPoints, fetchHealth, fetchWorkflow } from '../api/health-api';
import { SuccessChart } from './success-chart';

const PERIODS = [7, 30, 90] as const;

const ERROR_LABELS: Record<string, string> = {
  element_not_found: 'Element not found',
  timeout: 'Timed out',
  navigation_error: 'Navigation failed',
  wrong_page: 'Wrong page',
  user_abandoned: 'Abandoned',
};

const errorLabel = (t: string | null | undefined) => (t ? ERROR_LABELS[t] ?? t : '—');

const RUN_OUTCOMES: Record<HealthRun['status'], { label: string; tone: 'green' | 'amber' | 'red' | 'slate'; title?: string }> = {
  success: { label: 'Succeeded', tone: 'green' },
  completed_with_skips: { label: 'Completed · steps skipped', tone: 'amber', title: 'The run finished, but the user skipped at least one step the walkthrough could not find' },
  failed: { label: 'Failed', tone: 'red' },
  abandoned: { label: 'Abandoned', tone: 'slate' },
};

const runTotal = (p: ChartPoint) => p.success + p.withSkips + p.failed + p.abandoned;

function Stat({ label, children, tone }: { label: string; children: ReactNode; tone?: 'bad' }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className={tone === 'bad' ? 'mt-1 text-xl font-semibold text-red-700' : 'mt-1 text-xl font-semibold text-slate-900'}>{children}</dd>
    </div>
  );
}

function RunOutcome({ status }: { status: HealthRun['status'] }) {
  const o = RUN_OUTCOMES[status] ?? { label: status, tone: 'slate' as const };
  return (
    <Badge tone={o.tone} {...(o.title ? { title: o.title } : {})}>
      {o.label}
    </Badge>
  );
}

const th = 'px-4 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600';

export interface HealthPageProps {
  /**
   * More about the workflow, shown under the summary once it has loaded: the app composes what
   * other features add here (the scheduled check and its history), since features do not import
   * each other.
   */
  extra?: (workflow: WorkflowDetail) => ReactNode;
}

/** How one workflow is doing: success rate over time, runs, the steps that fail, healing. */
export function HealthPage({ extra }: HealthPageProps = {}) {
  const id = Number(useParams().id);
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const periodId = useId();
  const workflow = useAsync((signal) => fetchWorkflow(id, signal), [id]);
  const workflowName = workflow.data?.name;
  const health = useAsync((signal) => fetchHealth(id, days, signal), [id, days]);

  useEffect(() => {
    document.title = workflowName ? `Health: ${workflowName} · Stepwise` : 'Health · Stepwise';
  }, [workflowName]);

  const title = workflowName ? `Health: ${workflowName}` : 'Health';
  const header = (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to={`/workflows/${id}`} className="font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
          ← Back to the workflow
        </Link>
      </nav>
      <div className="flex items-end justify-between gap-4">
        <div className="min-w-0">
          <h1 className="break-words text-2xl font-semibold text-slate-900">{title}</h1>
          <p className="mt-1 text-sm text-slate-600">Runs reported by the walkthroughs of your team, per day in UTC.</p>
        </div>
        <div className="flex items-center gap-2">
          <label htmlFor={periodId} className="text-sm text-slate-700">
            Period
          </label>
          <select
            id={periodId}
            value={days}
            onChange={(e) => setDays(Number(e.target.value) as (typeof PERIODS)[number])}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-200"
          >
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                Last {p} days
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );

  if (health.status === 'error' && !health.data) {
    const notFound = health.error.status === 404;
    return (
      <div className="space-y-6">
        {header}
        <ErrorState error={notFound ? toApiError(new Error('It may have been deleted.')) : health.error} title={notFound ? 'Workflow not found' : 'Health could not be loaded'} {...(notFound ? {} : { onRetry: health.reload })} />
      </div>
    );
  }
  if (!health.data) {
    return (
      <div className="space-y-6">
        {header}
        <LoadingState label="Loading health…" />
      </div>
    );
  }

  const h = health.data;
  const w = h.workflow;
  const points = chartPoints(h.days, days);
  const anyRuns = points.some((p) => runTotal(p) > 0);

  return (
    <div className="space-y-6" aria-busy={health.status === 'loading'}>
      {header}
      <dl className="grid grid-cols-5 gap-4">
        <Stat label="Status">
          <StatusBadge status={w.status} />
        </Stat>
        <Stat label="Success rate (last 50 runs)">{formatRate(w.success_rate, w.total_uses)}</Stat>
        <Stat label="Total runs">{w.total_uses.toLocaleString('en-GB')}</Stat>
        <Stat label="Failures in a row" {...(w.consecutive_failures >= 3 ? { tone: 'bad' as const } : {})}>
          {w.consecutive_failures}
        </Stat>
        <Stat label="Last success">
          <span className="text-base">{formatDateTime(w.last_successful_run)}</span>
        </Stat>
      </dl>

      {extra && workflow.data && workflow.data.id === id && extra(workflow.data)}

      <Card title="Success rate over time" headingId="chart-heading" description={`Runs per day and the share that succeeded without skipping a step, last ${days} days.`}>
        {anyRuns ? (
          <>
            <SuccessChart points={points} />
            <table className="sr-only">
              <caption>Runs per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Successful</th>
                  <th scope="col">Completed with skips</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Abandoned</th>
                  <th scope="col">Success rate</th>
                </tr>
              </thead>
              <tbody>
                {points
                  .filter((p) => runTotal(p) > 0)
                  .map((p) => (
                    <tr key={p.date}>
                      <th scope="row">{p.date}</th>
                      <td>{p.success}</td>
                      <td>{p.withSkips}</td>
                      <td>{p.failed}</td>
                      <td>{p.abandoned}</td>
                      <td>{p.rate === null ? '—' : `${p.rate}%`}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </>
        ) : (
          <EmptyState title={`No runs in the last ${days} days`}>When colleagues are guided through this workflow, their runs show here.</EmptyState>
        )}
      </Card>

      <div className="grid grid-cols-2 items-start gap-6">
        <Card title="Steps that fail most" headingId="failing-heading">
          {h.failing_steps.length === 0 ? (
            <p className="text-sm text-slate-600">No step has failed in this period.</p>
          ) : (
            <table className="min-w-full text-sm">
              <thead>
                <tr>
                  <th scope="col" className={th}>Step</th>
                  <th scope="col" className={th}>Failures</th>
                  <th scope="col" className={th}>Why</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {h.failing_steps.map((s) => (
                  <tr key={s.step_id}>
                    <td className="px-4 py-2 text-slate-900">
                      <span className="font-medium">{s.step_number}.</span> <span className="break-words">{s.field_label ?? 'Unlabeled step'}</span>
                    </td>
                    <td className="px-4 py-2 tabular-nums text-red-700">{s.failures}</td>
                    <td className="px-4 py-2">
                      <ul className="flex flex-wrap gap-1">
                        {Object.entries(s.error_types).map(([type, n]) => (
                          <li key={type}>
                            <Badge tone="red">
                              {errorLabel(type)} × {n}
                            </Badge>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>

        <Card
          title="Healing events"
          headingId="healing-heading"
          actions={
            <Link to={`/heal-reviews?workflow_id=${id}`} className="text-sm font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
              Heal review queue
            </Link>
          }
        >
          {h.healing_events.length === 0 ? (
            <p className="text-sm text-slate-600">No step needed healing in this period.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {h.healing_events.map((e, i) => (
                <li key={`${e.step_id}-${e.created_at}-${i}`} className="flex items-start justify-between gap-4 py-2">
                  <div className="min-w-0">
                    <p className="text-slate-900">
                      {e.status === 'healed_ai' ? 'Healed with AI' : 'Healed by score'} · step id {e.step_id}
                      {e.healing_confidence !== null && e.healing_confidence !== undefined && <span className="text-slate-600"> · {Math.round(e.healing_confidence * 100)}% sure</span>}
                    </p>
                    {e.page_url && <p className="truncate text-xs text-slate-600" title={e.page_url}>{e.page_url}</p>}
                  </div>
                  <time className="shrink-0 text-xs text-slate-600" dateTime={e.created_at}>
                    {formatDateTime(e.created_at)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <Card title="Recent runs" headingId="runs-heading">
        {h.recent_runs.length === 0 ? (
          <p className="text-sm text-slate-600">No runs yet.</p>
        ) : (
          <table className="min-w-full text-sm">
            <thead>
              <tr>
                <th scope="col" className={th}>When</th>
                <th scope="col" className={th}>Outcome</th>
                <th scope="col" className={th}>Problem</th>
                <th scope="col" className={th}>User</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {h.recent_runs.map((r) => (
                <tr key={r.run_id}>
                  <td className="px-4 py-2 text-slate-800">{formatDateTime(r.created_at)}</td>
                  <td className="px-4 py-2">
                    <RunOutcome status={r.status} />
                  </td>
                  <td className="px-4 py-2 text-slate-700">{errorLabel(r.error_type)}</td>
                  <td className="px-4 py-2 text-slate-700">#{r.user_id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

export default HealthPage;
