import { Link, useParams } from 'react-router-dom';
import { Alert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import { type ApiError, toApiError } from '../../../lib/api-error';
import { isLowConfidence } from '../../../lib/workflow-format';
import { useAuthStore } from '../../../stores/auth-store';
import { useReviewStore } from '../stores/review-store';
import { DetailsCard } from './details-card';
import { LabelingProgress } from './labeling-progress';
import { StepDialogs, StepList } from './step-list';
import { useStepActions } from './use-step-actions';
import { useWorkflowActions } from './use-workflow-actions';
import { useWorkflowReview } from './use-workflow-review';
import { WorkflowHeader } from './workflow-header';
import { WorkflowStats } from './workflow-stats';

/** A workflow that could not be loaded: gone (or not published, for a member), or an error to retry. */
function LoadFailure({ error, isAdmin, onRetry }: { error: ApiError; isAdmin: boolean; onRetry: () => void }) {
  const notFound = error.status === 404;
  return (
    <div className="space-y-4">
      <Link to="/workflows" className="text-sm font-medium text-indigo-700 hover:underline">
        ← All workflows
      </Link>
      <ErrorState
        error={notFound ? toApiError(new Error(isAdmin ? 'It may have been deleted.' : 'It may have been deleted, or it is not published yet.')) : error}
        title={notFound ? 'Workflow not found' : 'This workflow could not be loaded'}
        {...(notFound ? {} : { onRetry })}
      />
    </div>
  );
}

/** One workflow: its steps to check and correct, its details, and publishing. */
export function ReviewPage() {
  const id = Number(useParams().id);
  const isAdmin = useAuthStore((s) => s.me?.role === 'admin');
  const { current, conflict, progress, live, processing, loadError, reload, retry } = useWorkflowReview(id);
  const workflowActions = useWorkflowActions(reload);
  const stepActions = useStepActions();

  if (!Number.isInteger(id) || id < 1) return <ErrorState error={toApiError(new Error('This is not a workflow address.'))} title="Workflow not found" />;
  if (loadError && !current) return <LoadFailure error={loadError} isAdmin={isAdmin} onRetry={retry} />;
  if (!current) return <LoadingState label="Loading workflow…" />;

  const steps = current.steps;
  const lowCount = steps.filter((s) => isLowConfidence(s.ai_confidence)).length;

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/workflows" className="font-medium text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
          ← All workflows
        </Link>
      </nav>

      <WorkflowHeader
        workflow={current}
        isAdmin={isAdmin}
        checkStatus={isAdmin ? (current.check_status ?? null) : null}
        statusBusy={workflowActions.statusBusy}
        onSetStatus={(status, done) => void workflowActions.setStatus(status, done)}
        onArchive={workflowActions.askArchive}
        onRelabel={() => void workflowActions.relabel(current.id)}
      />

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

      <WorkflowStats workflow={current} />

      <div className="grid grid-cols-3 items-start gap-6">
        <StepList steps={steps} canEdit={isAdmin && current.status !== 'processing'} actions={stepActions} />
        <aside className="space-y-6">
          <DetailsCard workflow={current} canEdit={isAdmin} onSave={(patch) => useReviewStore.getState().saveWorkflow(patch)} />
        </aside>
      </div>

      <StepDialogs steps={steps} actions={stepActions} />
      <ConfirmDialog
        open={workflowActions.archiving}
        title="Archive this workflow?"
        confirmLabel="Archive"
        busy={workflowActions.statusBusy === 'archived'}
        onConfirm={() => void workflowActions.setStatus('archived', 'Workflow archived')}
        onCancel={workflowActions.cancelArchive}
      >
        <p>Your team can no longer run it. You can restore it later from the archived workflows.</p>
      </ConfirmDialog>
    </div>
  );
}
