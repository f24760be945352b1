import type { Progress } from '../stores/review-actions';

/** The AI is labeling the steps: how far it has got, live from the event stream. */
export function LabelingProgress({ progress, live }: { progress: Progress | null; live: boolean }) {
  const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : null;
  return (
    <section aria-labelledby="labeling-heading" className="rounded-lg border border-indigo-200 bg-indigo-50 px-5 py-4">
      <div className="flex items-center justify-between gap-4">
        <h2 id="labeling-heading" className="text-sm font-semibold text-indigo-900">
          The AI is labeling the steps
        </h2>
        <p className="text-sm text-indigo-900" aria-live="polite">
          {progress ? `${progress.done} of ${progress.total} steps labeled${progress.failed ? `, ${progress.failed} failed` : ''}` : 'Starting…'}
        </p>
      </div>
      <div
        role="progressbar"
        aria-label="Labeling progress"
        aria-valuemin={0}
        aria-valuemax={progress?.total ?? 100}
        aria-valuenow={progress?.done}
        aria-valuetext={pct === null ? 'Starting' : `${pct}%`}
        className="mt-3 h-2.5 overflow-hidden rounded-full bg-white ring-1 ring-inset ring-indigo-200"
      >
        <div className={pct === null ? 'h-full w-1/4 animate-pulse rounded-full bg-indigo-400' : 'h-full rounded-full bg-indigo-600 transition-[width] duration-300'} style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      <p className="mt-2 text-xs text-indigo-900">
        {live ? 'Updates live. ' : 'Checking every few seconds. '}You can edit labels once it is done; the page refreshes by itself.
      </p>
    </section>
  );
}
