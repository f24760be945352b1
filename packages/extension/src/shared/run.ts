// Pure rules about a walkthrough run, shared by the service worker and the page.
import type { RunOutcome, RunState } from './types';

/** How a run that reached its end went: every step done, or done past skipped steps. */
export function outcomeOf(run: Pick<RunState, 'results'>): RunOutcome {
  if (run.results.some((r) => r === 'skipped')) return 'completed_with_skips';
  return run.results.some((r) => r === 'failed') ? 'failed' : 'success';
}
