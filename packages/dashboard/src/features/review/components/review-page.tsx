import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { StatusBadge } from '../../../components/ui/status-badge';
import { type ApiError, toApiError } from '../../../lib/api-error';
import { useLiveEvent } from '../../../lib/event-stream';
import { formatDateTime } from '../../../lib/format';
import type { Step, WorkflowStatus } from '../../../lib/schemas';
import { formatRate, isLowConfidence, lastRun } from '../../../lib/workflow-format';
import { useAuthStore } from '../../../stores/auth-store';
import { useLiveStore } from '../../../stores/live-store';
import { toast } from '../../../stores/toast-store';
import { relabelWorkflow } from '../api/review-api';
import { isProgressEvent } from '../stores/review-actions';
import { useReviewStore } from '../stores/review-store';
import { DetailsCard } from './details-card';
import { ExportMenu } from './export-menu';
import { LabelingProgress } from './labeling-progress';
import { ScreenshotViewer } from './screenshot-viewer';
import { StepCard } from './step-card';

const POLL_MS = 3000;

function showChangeError(e: unknown, what: string) {
  const error = toApiError(e);
  if (error.status === 412) return; // the conflict banner says it
  toast.error(error.requestId ? { title: `${what} failed`, message: error.userMessage, requestId: error.requestId } : { title: `${what} failed`, message: error.userMessage });
}

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm font-medium text-slate-900">{children}</dd>
    </div>
  );
}

/** One workflow: its steps to check and correct, its details, and publishing. */
export function ReviewPage() {
  const id = Number(useParams().id);
  const isAdmin = useAuthStore((s) => s.me?.role === 'admin');
  const live = useLiveStore((s) => s.status === 'open');
  const { workflow, conflict, progress } = useReviewStore();
  const store = useReviewStore.getState;
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [viewing, setViewing] = useState<Step | null>(null);
  const [deleting, setDeleting] = useState<Step | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [archiving, setArchiving] = useState(false);
  const [statusBusy, setStatusBusy] = useState<WorkflowStatus | null>(null);
  const [moving, setMoving] = useState(false);

  const current = workflow?.id === id ? workflow : null;

  const reload = useCallback(
    (signal?: AbortSignal) =>
      store()
        .load(id, signal)
        .then(
          () => setLoadError(null),
          (e: unknown) => {
            if (!signal?.aborted && (e as { name?: string }).name !== 'AbortError') setLoadError(toApiError(e));
          },
        ),
    [id, store],
  );

  useEffect(() => {
    if (!Number.isInteger(id) || id < 1) return;
    const controller = new AbortController();
    setLoadError(null);
    void reload(controller.signal);
    return () => controller.abort();
  }, [id, attempt, reload]);

  useEffect(() => {
    document.title = current ? `${current.name} · Stepwise` : 'Workflow · Stepwise';
  }, [current]);

  useLiveEvent('progress', (data) => {
    if (isProgressEvent(data)) store().onProgress(data);
  });
  useLiveEvent('workflow_status', (data) => {
    if ((data as { workflow_id?: unknown } | null)?.workflow_id === id) void reload();
  });

  // Without the event stream, a workflow being labeled is checked every few seconds.
  const processing = current?.status === 'processing';
  useEffect(() => {
    if (!processing || live) return;
    const t = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(t);
  }, [processing, live, reload]);

  if (!Number.isInteger(id) || id < 1) return <ErrorState error={toApiError(new Error('This is not a workflow address.'))} title="Workflow not found" />;
  if (loadError && !current) {
    const notFound = loadError.status === 404;
    return (
      <div className="space-y-4">
        <Link to="/workflows" className="text-sm font-medium text-indigo-700 hover:underline">
          ← All workflows
        </Link>
        <ErrorState
          error={notFound ? toApiError(new Error(isAdmin ? 'It may have been deleted.' : 'It may have been deleted, or it is not published yet.')) : loadError}
          title={notFound ? 'Workflow not found' : 'This workflow could not be loaded'}
          {...(notFound ? {} : { onRetry: () => setAttempt((a) => a + 1) })}
        />
      </div>
    );
  }
  if (!current) return <LoadingState label="Loading workflow…" />;

  const steps = current.steps;
  const canEdit = isAdmin && current.status !== 'processing';
  const lowCount = steps.filter((s) => isLowConfidence(s.ai_confidence)).length;

  const setStatus = async (status: WorkflowStatus, done: string) => {
    setStatusBusy(status);
    try {
      await store().saveWorkflow({ status });
      toast.success(done);
    } catch (e) {
      showChangeError(e, 'Changing the status');
    } finally {
      setStatusBusy(null);
      setArchiving(false);
    }
  };

  const onDelete = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    try {
      await store().deleteStep(deleting.id);
      toast.success(`Step ${deleting.step_number} deleted`);
    } catch (e) {
      showChangeError(e, 'Deleting the step');
    } finally {
      setDeleteBusy(false);
      setDeleting(null);
    }
  };

  const onMove = async (step: Step, delta: -1 | 1) => {
    setMoving(true);
    try {
      await store().moveStep(step.id, delta);
    } catch (e) {
      showChangeError(e, 'Moving the step');
    } finally {
      setMoving(false);
    }
  };

  const onRelabel = async () => {
    try {
      await relabelWorkflow(current.id);
      toast.info('Labeling again', 'Edited labels and instructions are kept.');
      void reload();
    } catch {
      // The interceptor has shown the error.
    }
  };

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/workflows" className="font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
          ← All workflows
        </Link>
      </nav>

      <header className="flex items-start justify-between gap-6">
        <div className="min-w-0">
          <div className="flex items-center gap-3">
            <h1 className="break-words text-2xl font-semibold text-slate-900">{current.name}</h1>
            <StatusBadge status={current.status} />
          </div>
          <p className="mt-1 truncate text-sm text-slate-600" title={current.starting_url}>
            Starts at {current.starting_url}
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {isAdmin && (
          <Link
            to={`/workflows/${current.id}/health`}
            className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Health
          </Link>
          )}
          <ExportMenu workflowId={current.id} />
          {isAdmin && (current.status === 'needs_review' || current.status === 'active') && (
            <Button variant="secondary" onClick={() => void onRelabel()}>
              Re-run AI labels
            </Button>
          )}
          {isAdmin && current.status !== 'archived' && (
            <Button variant="secondary" onClick={() => setArchiving(true)}>
              Archive
            </Button>
          )}
          {isAdmin && current.status === 'archived' && (
            <Button variant="secondary" busy={statusBusy === 'needs_review'} onClick={() => void setStatus('needs_review', 'Restored for review')}>
              Restore
            </Button>
          )}
          {isAdmin && (current.status === 'active' || current.status === 'broken') && (
            <Button variant="secondary" busy={statusBusy === 'needs_review'} onClick={() => void setStatus('needs_review', 'Back in review')}>
              Unpublish
            </Button>
          )}
          {isAdmin && current.status === 'needs_review' && (
            <Button busy={statusBusy === 'active'} onClick={() => void setStatus('active', 'Approved: the workflow is active')}>
              Approve and publish
            </Button>
          )}
        </div>
      </header>

      {conflict && (
        <Alert tone="warning" title="This workflow changed elsewhere">
          <p>Someone else saved a change since you opened it, so your last change was not saved. Reload to see their version, then try again.</p>
          <Button variant="secondary" size="sm" className="mt-2" onClick={() => void reload()}>
            Reload workflow
          </Button>
        </Alert>
      )}

      {processing && <LabelingProgress progress={progress} live={live} />}

      {current.status === 'needs_review' && isAdmin && (
        <Alert tone="info">
          Check each step’s label and instruction{lowCount > 0 ? ` — ${lowCount} ${lowCount === 1 ? 'step has' : 'steps have'} low AI confidence` : ''}, then approve to publish it to
          your team.
        </Alert>
      )}

      <dl className="grid grid-cols-5 gap-6 rounded-lg border border-slate-200 bg-white px-6 py-4 shadow-sm">
        <Stat label="Steps">{steps.length}</Stat>
        <Stat label="Success rate">{formatRate(current.success_rate, current.total_uses)}</Stat>
        <Stat label="Total uses">{current.total_uses.toLocaleString('en-GB')}</Stat>
        <Stat label="Last run">{formatDateTime(lastRun(current))}</Stat>
        <Stat label="Updated">{formatDateTime(current.updated_at)}</Stat>
      </dl>

      <div className="grid grid-cols-3 items-start gap-6">
        <section aria-labelledby="steps-heading" className="col-span-2 space-y-3">
          <h2 id="steps-heading" className="text-lg font-semibold text-slate-900">
            Steps
          </h2>
          {steps.length === 0 ? (
            <p className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">This workflow has no steps.</p>
          ) : (
            <ol className="space-y-3">
              {steps.map((step) => (
                <StepCard
                  key={step.id}
                  step={step}
                  count={steps.length}
                  canEdit={canEdit}
                  moving={moving}
                  onSave={(patch) => store().saveStep(step.id, patch)}
                  onDelete={() => setDeleting(step)}
                  onMove={(delta) => void onMove(step, delta)}
                  onView={() => setViewing(step)}
                />
              ))}
            </ol>
          )}
        </section>
        <aside className="space-y-6">
          <DetailsCard workflow={current} canEdit={isAdmin} onSave={(patch) => store().saveWorkflow(patch)} />
        </aside>
      </div>

      {viewing && (
        <ScreenshotViewer
          step={steps.find((s) => s.id === viewing.id) ?? viewing}
          title={`Step ${(steps.find((s) => s.id === viewing.id) ?? viewing).step_number}${viewing.field_label ? `: ${viewing.field_label}` : ''} — screenshot`}
          onClose={() => setViewing(null)}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete step ${deleting.step_number}?` : 'Delete step?'}
        confirmLabel="Delete step"
        busy={deleteBusy}
        onConfirm={() => void onDelete()}
        onCancel={() => setDeleting(null)}
      >
        <p>The step is removed from the workflow and the rest are renumbered. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={archiving}
        title="Archive this workflow?"
        confirmLabel="Archive"
        busy={statusBusy === 'archived'}
        onConfirm={() => void setStatus('archived', 'Workflow archived')}
        onCancel={() => setArchiving(false)}
      >
        <p>Your team can no longer run it. You can restore it later from the archived workflows.</p>
      </ConfirmDialog>
    </div>
  );
}
