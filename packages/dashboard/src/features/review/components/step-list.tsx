import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import type { Step } from '../../../lib/schemas';
import { useReviewStore } from '../stores/review-store';
import { ScreenshotViewer } from './screenshot-viewer';
import { StepCard } from './step-card';
import type { useStepActions } from './use-step-actions';

type StepActions = ReturnType<typeof useStepActions>;

/** The workflow's steps in order, each editable in place by an admin while it is not being labeled. */
export function StepList({ steps, canEdit, actions }: { steps: Step[]; canEdit: boolean; actions: StepActions }) {
  return (
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
              moving={actions.moving}
              onSave={(patch) => useReviewStore.getState().saveStep(step.id, patch)}
              onDelete={() => actions.askDelete(step)}
              onMove={(delta) => void actions.move(step, delta)}
              onView={() => actions.view(step)}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * The screenshot viewer and the delete question for the step they are open for. The viewer shows
 * the step as it is now (a move renumbers it while the viewer is open).
 */
export function StepDialogs({ steps, actions }: { steps: Step[]; actions: StepActions }) {
  const { viewing, deleting } = actions;
  const shown = viewing ? (steps.find((s) => s.id === viewing.id) ?? viewing) : null;
  return (
    <>
      {viewing && shown && (
        <ScreenshotViewer
          step={shown}
          title={`Step ${shown.step_number}${viewing.field_label ? `: ${viewing.field_label}` : ''} — screenshot`}
          onClose={actions.closeViewer}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete step ${deleting.step_number}?` : 'Delete step?'}
        confirmLabel="Delete step"
        busy={actions.deleteBusy}
        onConfirm={() => void actions.confirmDelete()}
        onCancel={actions.cancelDelete}
      >
        <p>The step is removed from the workflow and the rest are renumbered. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
