import { useState } from 'react';
import type { Step } from '../../../lib/schemas';
import { toast } from '../../../stores/toast-store';
import { useReviewStore } from '../stores/review-store';
import { showChangeError } from './change-error';

/**
 * What the review page does to one step beyond editing it in place: view its screenshot, delete it
 * after a question, move it up or down. `viewing` and `deleting` are the steps the viewer and the
 * delete question are open for.
 */
export function useStepActions() {
  const [viewing, setViewing] = useState<Step | null>(null);
  const [deleting, setDeleting] = useState<Step | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [moving, setMoving] = useState(false);
  const store = useReviewStore.getState;

  const confirmDelete = async () => {
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

  const move = async (step: Step, delta: -1 | 1) => {
    setMoving(true);
    try {
      await store().moveStep(step.id, delta);
    } catch (e) {
      showChangeError(e, 'Moving the step');
    } finally {
      setMoving(false);
    }
  };

  return {
    viewing,
    view: setViewing,
    closeViewer: () => setViewing(null),
    deleting,
    deleteBusy,
    askDelete: setDeleting,
    cancelDelete: () => setDeleting(null),
    confirmDelete,
    moving,
    move,
  };
}
