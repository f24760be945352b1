// Whose value a step takes (the contract's ActionData.value_kind), as the review page shows it.
import type { Step, ValueKind } from '../../../lib/schemas';

export interface ValueKindOption {
  kind: ValueKind;
  label: string;
  help: string;
}

export const VALUE_KINDS: readonly ValueKindOption[] = [
  { kind: 'personal', label: 'Their own', help: 'Each colleague enters their own (username, email, name…): the instruction never shows yours.' },
  { kind: 'free', label: 'They choose', help: 'Each colleague types what they want (a title, a comment, a search).' },
  { kind: 'fixed', label: 'Fixed', help: 'Everyone enters the value you recorded; the walkthrough can fill it in.' },
];

/** Steps that type or choose a value: the only ones a value kind applies to. */
export function takesValue(step: Pick<Step, 'action_type'>): boolean {
  return step.action_type === 'input_commit' || step.action_type === 'select_change';
}

/** The step's kind; absent or null means fixed, or personal when the value was masked (the contract). */
export function valueKindOf(step: Pick<Step, 'action_data'>): ValueKind {
  const data = step.action_data;
  return data?.value_kind ?? (data?.value_masked ? 'personal' : 'fixed');
}

/** What the recorder entered, short, for the admin deciding; never for a masked value. */
export function recordedValue(step: Pick<Step, 'action_data'>, max = 60): string | null {
  const data = step.action_data;
  if (!data || data.value_masked) return null;
  const v = (data.input_value ?? '').replace(/\s+/g, ' ').trim();
  if (!v) return null;
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
}
