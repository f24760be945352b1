import { useState } from 'react';
import type { WorkflowStatus } from '../../../lib/schemas';
import { toast } from '../../../stores/toast-store';
import { relabelWorkflow } from '../api/review-api';
import { useReviewStore } from '../stores/review-store';
import { showChangeError } from './change-error';

/**
 * What an admin does to the whole workflow: change its status (archiving asks first) and run the
 * AI labels again. `statusBusy` is the status being saved, `archiving` whether the archive
 * question is open.
 */
export function useWorkflowActions(reload: () => Promise<void>) {
  const [statusBusy, setStatusBusy] = useState<WorkflowStatus | null>(null);
  const [archiving, setArchiving] = useState(false);

  const setStatus = async (status: WorkflowStatus, done: string) => {
    setStatusBusy(status);
    try {
      await useReviewStore.getState().saveWorkflow({ status });
      toast.success(done);
    } catch (e) {
      showChangeError(e, 'Changing the status');
    } finally {
      setStatusBusy(null);
      setArchiving(false);
    }
  };

  const relabel = async (workflowId: number) => {
    try {
      await relabelWorkflow(workflowId);
      toast.info('Labeling again', 'Edited labels and instructions are kept.');
      void reload();
    } catch {
      // The interceptor has shown the error.
    }
  };

  return {
    statusBusy,
    archiving,
    askArchive: () => setArchiving(true),
    cancelArchive: () => setArchiving(false),
    setStatus,
    relabel,
  };
}
