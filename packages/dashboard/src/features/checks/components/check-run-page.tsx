import { type ReactNode, useEffect } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Badge } from '../../../components/ui/badge';
import { CheckStatusBadge } from '../../../components/ui/check-status-badge';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState, Spinner } from '../../../components/ui/spinner';
import { toApiError } from '../../../lib/api-error';
import { formatDateTime } from '../../../lib/format';
import type { CheckRun } from '../../../lib/schemas';
import { useAsync } from '../../../lib/use-async';
import { fetchWorkflowName } from '../api/checks-api';
import { CheckStepCard } from './check-step-card';
import { MODE_LABELS, TRIGGER_LABELS, formatDuration, runStateLabel } from './check-labels';
import { useCheckRun } from './use-check-run';

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd data-testid={testId} className="mt-1 text-lg font-semibold text-slate-900">
        {children}
      </dd>
    </div>
  );
}

function RunStatus({ run }: { run: CheckRun }) {
  const pending = runStateLabel(run);
  if (pending) {
    return (
      <span className="inline-flex items-center gap-2">
        <Badge tone="indigo">{pending}</Badge>
        <Spinner size="sm" className="text-indigo-600" />
      </span>
    );
  }
  return <CheckStatusBadge status={run.status} />;
}

function RunHeader({ run }: { run: CheckRun }) {
  return (
    <dl className="grid grid-cols-4 gap-4 lg:grid-cols-8">
      <Stat label="Status" testId="check-run-status">
        <RunStatus run={run} />
      </Stat>
      <Stat label="Trigger" testId="check-run-trigger">
        {TRIGGER_LABELS[run.trigger] ?? run.trigger}
      </Stat>
      <Stat label="Mode" testId="check-run-mode">
        {MODE_LABELS[run.mode] ?? run.mode}
      </Stat>
      <Stat label="Duration" testId="check-run-duration">
        {formatDuration(run.duration_ms)}
      </Stat>
      <Stat label="Steps" testId="check-run-total">
        {run.steps_total}
      </Stat>
      <Stat label="Found" testId="check-run-found">
        {run.steps_found}
      </Stat>
      <Stat label="Healed" testId="check-run-healed">
        {run.steps_healed}
      </Stat>
      <Stat label="Missing" testId="check-run-missing">
        <span className={run.steps_missing > 0 ? 'text-red-700' : undefined}>{run.steps_missing}</span>
      </Stat>
    </dl>
  );
}

/** One check run as a filmstrip: per step the page the check saw and the element it found. */
export function CheckRunPage() {
  const params = useParams();
  const workflowId = Number(params.id);
  const runId = Number(params.runId);
  const { run, error, retry } = useCheckRun(runId);
  const name = useAsync((signal) => fetchWorkflowName(workflowId, signal), [workflowId]);

  useEffect(() => {
    document.title = name.data ? `Check of ${name.data} · Stepwise` : 'Check · Stepwise';
  }, [name.data]);

  const backTo = `/workflows/${run?.workflow_id ?? workflowId}/health`;
  const header = (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to={backTo} className="font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
          ← Back to health
        </Link>
      </nav>
      <div>
        <h1 className="break-words text-2xl font-semibold text-slate-900">{name.data ? `Check of ${name.data}` : 'Check'}</h1>
        {run && (
          <p className="mt-1 text-sm text-slate-600">
            {run.started_at ? `Started ${formatDateTime(run.started_at)}` : `Queued ${formatDateTime(run.created_at)}`}
            {run.finished_at ? ` · finished ${formatDateTime(run.finished_at)}` : ''}
            {run.attempts > 1 ? ` · attempt ${run.attempts}` : ''}
          </p>
        )}
      </div>
    </div>
  );

  if (!Number.isInteger(runId) || runId < 1) {
    return <ErrorState error={toApiError(new Error('This is not a check run’s address.'))} title="Check run not found" />;
  }
  if (!run && error) {
    const notFound = error.status === 404;
    return (
      <div className="space-y-6">
        {header}
        <ErrorState error={notFound ? toApiError(new Error('It may have been deleted with its workflow.')) : error} title={notFound ? 'Check run not found' : 'The check run could not be loaded'} {...(notFound ? {} : { onRetry: retry })} />
      </div>
    );
  }
  if (!run) {
    return (
      <div className="space-y-6">
        {header}
        <LoadingState label="Loading the check…" />
      </div>
    );
  }

  const steps = [...(run.steps ?? [])].sort((a, b) => a.step_number - b.step_number);
  const finished = run.state === 'finished';
  return (
    <div className="space-y-6">
      {header}
      <RunHeader run={run} />
      {run.message && (
        <Alert tone={run.status === 'passed' ? 'info' : 'warning'} title="What the check said">
          <p data-testid="check-run-message" className="break-words">
            {run.message}
          </p>
        </Alert>
      )}
      {run.status === 'session_expired' && (
        <Alert tone="warning" title="Save a session again">
          Open the app signed in, then choose “Save a session for checks” in the extension’s popup. Saved sessions are listed under{' '}
          <Link to="/settings" className="font-medium underline">
            Sessions for checks in Settings
          </Link>
          .
        </Alert>
      )}
      {error && (
        <Alert tone="error" title="The check could not be refreshed">
          <p>{error.userMessage}</p>
          <button type="button" onClick={retry} className="mt-2 font-medium underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
            Try again
          </button>
        </Alert>
      )}
      <p role="status" aria-live="polite" data-testid="check-run-progress" className="text-sm text-slate-600">
        {finished
          ? `${steps.length} of ${run.steps_total} ${run.steps_total === 1 ? 'step' : 'steps'} checked.`
          : run.state === 'queued'
            ? 'Waiting for the checker to start…'
            : `Checking… ${steps.length} of ${run.steps_total} ${run.steps_total === 1 ? 'step' : 'steps'} so far.`}
      </p>
      {steps.length > 0 && (
        <ol aria-label="Steps checked" className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
          {steps.map((s) => (
            <CheckStepCard key={`${s.step_number}-${s.step_id ?? ''}`} step={s} />
          ))}
        </ol>
      )}
    </div>
  );
}

export default CheckRunPage;
