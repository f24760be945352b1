import { ErrorState } from '../../../components/ui/error-state';
import { LoadingState } from '../../../components/ui/spinner';
import type { WorkflowDetail } from '../../../lib/schemas';
import { useAsync } from '../../../lib/use-async';
import { fetchWorkflowCheck, listCheckRuns } from '../api/checks-api';
import { CheckHistoryCard } from './check-history-card';
import { ScheduledCheckCard } from './scheduled-check-card';

/** The workflow's scheduled check and its history, as the health page shows them (admins). */
export function WorkflowChecks({ workflow }: { workflow: WorkflowDetail }) {
  const check = useAsync((signal) => fetchWorkflowCheck(workflow.id, signal), [workflow.id]);
  const runs = useAsync((signal) => listCheckRuns(workflow.id, signal), [workflow.id]);
  return (
    <div className="space-y-6">
      {check.data ? (
        <ScheduledCheckCard workflow={workflow} check={check.data} onSaved={(c) => check.setData(() => c)} />
      ) : check.status === 'error' ? (
        <ErrorState error={check.error} title="The scheduled check could not be loaded" onRetry={check.reload} />
      ) : (
        <LoadingState label="Loading the scheduled check…" />
      )}
      <CheckHistoryCard workflowId={workflow.id} runs={runs} onRetry={runs.reload} />
    </div>
  );
}
