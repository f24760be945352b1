import { Link } from 'react-router-dom';
import { CopyGuideLink } from '../../../components/copy-guide-link';
import { Button } from '../../../components/ui/button';
import { CheckStatusBadge } from '../../../components/ui/check-status-badge';
import { StatusBadge } from '../../../components/ui/status-badge';
import type { CheckStatus, WorkflowDetail, WorkflowStatus } from '../../../lib/schemas';
import { ExportMenu } from './export-menu';

interface WorkflowHeaderProps {
  workflow: WorkflowDetail;
  isAdmin: boolean;
  /** How the last scheduled check went: a badge when the workflow is at risk or its session expired. */
  checkStatus?: CheckStatus | null;
  /** The status being saved, whose button shows it is busy. */
  statusBusy: WorkflowStatus | null;
  onSetStatus: (status: WorkflowStatus, done: string) => void;
  onArchive: () => void;
  onRelabel: () => void;
}

/** The workflow's name, status and start, and what can be done to it: health, export, labels, status. */
export function WorkflowHeader({ workflow, isAdmin, checkStatus = null, statusBusy, onSetStatus, onArchive, onRelabel }: WorkflowHeaderProps) {
  const { status } = workflow;
  return (
    <header className="flex items-start justify-between gap-6">
      <div className="min-w-0">
        <div className="flex items-center gap-3">
          <h1 className="break-words text-2xl font-semibold text-slate-900">{workflow.name}</h1>
          <StatusBadge status={status} />
          <CheckStatusBadge status={checkStatus} problemsOnly />
        </div>
        <p className="mt-1 truncate text-sm text-slate-600" title={workflow.starting_url}>
          Starts at {workflow.starting_url}
        </p>
      </div>
      <div className="flex shrink-0 items-center gap-2">
        {isAdmin && (
          <Link
            to={`/workflows/${workflow.id}/health`}
            className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Health
          </Link>
        )}
        {status === 'active' && <CopyGuideLink workflowId={workflow.id} workflowName={workflow.name} />}
        <ExportMenu workflowId={workflow.id} />
        {isAdmin && (status === 'needs_review' || status === 'active') && (
          <Button variant="secondary" onClick={onRelabel}>
            Re-run AI labels
          </Button>
        )}
        {isAdmin && status !== 'archived' && (
          <Button variant="secondary" onClick={onArchive}>
            Archive
          </Button>
        )}
        {isAdmin && status === 'archived' && (
          <Button variant="secondary" busy={statusBusy === 'needs_review'} onClick={() => onSetStatus('needs_review', 'Restored for review')}>
            Restore
          </Button>
        )}
        {isAdmin && (status === 'active' || status === 'broken') && (
          <Button variant="secondary" busy={statusBusy === 'needs_review'} onClick={() => onSetStatus('needs_review', 'Back in review')}>
            Unpublish
          </Button>
        )}
        {isAdmin && status === 'needs_review' && (
          <Button busy={statusBusy === 'active'} onClick={() => onSetStatus('active', 'Approved: the workflow is active')}>
            Approve and publish
          </Button>
        )}
      </div>
    </header>
  );
}
