// The words for a check's settings, its runs and each step's outcome (the contract's enums).
import type { BadgeTone } from '../../../components/ui/badge';
import type { CheckMode, CheckRun, CheckStep, Step } from '../../../lib/schemas';

/** The intervals an admin picks from, in minutes (the contract allows 15 to 1440). */
export const INTERVALS: readonly { minutes: number; label: string }[] = [
  { minutes: 15, label: '15 min' },
  { minutes: 30, label: '30 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 120, label: '2 h' },
  { minutes: 360, label: '6 h' },
  { minutes: 720, label: '12 h' },
  { minutes: 1440, label: '24 h' },
];

/** `90` → `1 h 30 min`: for an interval the server holds that is not one of ours. */
export function intervalLabel(minutes: number): string {
  const known = INTERVALS.find((i) => i.minutes === minutes);
  if (known) return known.label;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** The contract's `maxLength` of a replay value. */
export const MAX_VALUE_LENGTH = 1000;

export const MODE_LABELS: Record<CheckMode, string> = { locate: 'Locate', replay: 'Replay' };

export const TRIGGER_LABELS: Record<CheckRun['trigger'], string> = { schedule: 'Scheduled', manual: 'Check now' };

export const OUTCOMES: Record<CheckStep['outcome'], { label: string; tone: BadgeTone; about: string }> = {
  found: { label: 'Found', tone: 'green', about: 'Found by its selectors.' },
  healed: { label: 'Healed', tone: 'indigo', about: 'Found by similarity; colleagues who come next use the healed element.' },
  uncertain: { label: 'Uncertain', tone: 'amber', about: 'Only a candidate a colleague would be asked about.' },
  not_found: { label: 'Not found', tone: 'red', about: 'The element is not on the page.' },
  unreachable: { label: 'Unreachable', tone: 'slate', about: 'Its page is reached only by performing an earlier step, which a locate check does not do.' },
  skipped: { label: 'Skipped', tone: 'slate', about: 'The check stopped before this step.' },
  error: { label: 'Error', tone: 'red', about: 'The step could not be checked.' },
};

export const METHOD_LABELS: Record<NonNullable<CheckStep['method']>, string> = {
  selector: 'Selectors',
  deterministic: 'Healed by similarity',
  ai_assisted: 'Healed with AI',
};

/** A run that has not finished yet: queued or running, in words. */
export function runStateLabel(run: Pick<CheckRun, 'state'>): string | null {
  return run.state === 'queued' ? 'Queued' : run.state === 'running' ? 'Running' : null;
}

/** `850` → `850 ms`, `12_340` → `12.3 s`, `125_000` → `2 min 5 s`; null → `—`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${(Math.round(s * 10) / 10).toFixed(1)} s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/**
 * The steps a replay needs a value for: those that type or choose a value the colleague brings
 * (`personal`) or makes up (`free`). Absent or null `value_kind` means fixed, or personal when the
 * value was masked (the contract's ActionData.value_kind, as the review page reads it).
 */
export function replayValueSteps(steps: readonly Step[]): Step[] {
  return steps.filter((s) => {
    if (s.action_type !== 'input_commit' && s.action_type !== 'select_change') return false;
    const data = s.action_data;
    const kind = data?.value_kind ?? (data?.value_masked ? 'personal' : 'fixed');
    return kind === 'personal' || kind === 'free';
  });
}
