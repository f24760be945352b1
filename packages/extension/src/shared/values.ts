// Whose value a walkthrough step takes, and what it does with the colleague's own. Pure: the
// steps of the run and the values this colleague typed, nothing else.
//   - personal (their username, email …) and free (a title they make up): any value they commit
//     advances the step, and the card never quotes the recorder's;
//   - fixed (an option, a quantity the task needs): the recorded value, which "Fill it for me"
//     can put in the field;
//   - a later step whose target shows a free value (`value_from`: the link to the page just
//     created) is looked for with the colleague's value in place of the recorder's.
// The values a colleague types stay in the walk (the page and chrome.storage.session): only the
// ones a later step looks for are kept, and none is ever sent to the server or logged.
import { exactWithValue, showsValue, textWithValue, urlShape, valueSwap, withValue, type StepTarget, type ValueSwap } from '@stepwise/guide-core';
import type { GuideStep } from './types';

export type ValueKind = 'personal' | 'free' | 'fixed';

/** Values this colleague typed, by step index (only those a later step looks for). */
export type WalkValues = Record<number, string>;

type ValueStep = Pick<GuideStep, 'action_type' | 'action_data' | 'element_meta'>;

/** The step's value kind as the contract says (absent: fixed, or personal when masked); null for steps that take no value. */
export function stepValueKind(step: ValueStep): ValueKind | null {
  if (step.action_type !== 'input_commit' && step.action_type !== 'select_change') return null;
  const data = step.action_data;
  if (data?.value_kind) return data.value_kind;
  return data?.value_masked || step.element_meta?.value_masked ? 'personal' : 'fixed';
}

/** Any value the colleague commits does the step: their own (personal) or made up (free). */
export function takesAnyValue(step: ValueStep): boolean {
  const kind = stepValueKind(step);
  return kind === 'personal' || kind === 'free';
}

/**
 * The value "Fill it for me" puts in the field: a fixed step's recorded value, never a masked one,
 * nor one of a step that shows an earlier typed value. Null: the step is not offered.
 */
export function fillValueOf(step: ValueStep & Pick<GuideStep, 'action_data'>): string | null {
  if (stepValueKind(step) !== 'fixed') return null;
  const data = step.action_data;
  if (!data || data.value_masked || step.element_meta?.value_masked || data.value_from) return null;
  const value = data.input_value;
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value;
}

/** The index of the step whose typed value `steps[i]` shows (its `value_from`), if it is an earlier one with a recorded value. */
export function sourceIndexOf(steps: readonly GuideStep[], i: number): number | null {
  const from = steps[i]?.action_data?.value_from;
  if (!from) return null;
  const k = steps.findIndex((s) => s.step_number === from);
  if (k < 0 || k >= i) return null;
  const data = steps[k]!.action_data;
  return data && !data.value_masked && typeof data.input_value === 'string' && data.input_value.trim() ? k : null;
}

/** Whether a later step looks for what the colleague types at step `i` (so it is kept). */
export function isValueSource(steps: readonly GuideStep[], i: number): boolean {
  for (let j = i + 1; j < steps.length; j++) if (sourceIndexOf(steps, j) === i) return true;
  return false;
}

/**
 * The latest earlier free step whose recorded value the page address of `steps[i]` shows (a
 * button on the page just created): the address is the colleague's page, not the recorder's.
 */
function pageSourceOf(steps: readonly GuideStep[], i: number): number | null {
  const url = steps[i]?.page_context?.url;
  if (!url) return null;
  for (let k = i - 1; k >= 0; k--) {
    const s = steps[k]!;
    if (stepValueKind(s) !== 'free' || s.action_data?.value_masked) continue;
    const swap = valueSwap(s.action_data?.input_value, null);
    if (swap && showsValue(url, swap)) return k;
  }
  return null;
}

/** A step as this colleague's walk uses it. */
export interface BoundStep {
  step: GuideStep;
  /** Its target shows a value typed earlier (`value_from`): found with the colleague's value. */
  bound: boolean;
  /** The colleague's value for it is unknown (they skipped the step that typed it). */
  unknown: boolean;
  /**
   * Its page address (a navigation's destination, the page the step was recorded on) names a
   * value the colleague did not type: the recorder's address would open the recorder's page.
   */
  urlUnknown: boolean;
}

/** What names the page or item the colleague created, where nothing else may be quoted. */
export function createdName(step: Pick<GuideStep, 'action_type' | 'element_meta'>): string {
  const m = step.element_meta;
  const link = step.action_type === 'navigate' || (m?.tag_name ?? '').toUpperCase() === 'A' || m?.role === 'link';
  return link ? 'The page you created' : 'The item you created';
}

function outcomeWithValue(outcome: GuideStep['expected_outcome'], swap: ValueSwap): GuideStep['expected_outcome'] {
  if (!outcome) return outcome;
  const nav = outcome.navigation;
  let navigation = nav;
  if (nav && showsValue(nav.url, swap)) {
    const url = exactWithValue(nav.url, swap);
    navigation = url ? { ...nav, url, url_shape: urlShape(url) || nav.url_shape } : null;
  }
  const element = <T extends { text?: string | null }>(o: T): T => ({ ...o, text: textWithValue(o.text ?? null, swap) });
  return { ...outcome, navigation, appeared: outcome.appeared?.map(element), disappeared: outcome.disappeared?.map(element) };
}

function pageWithValue(step: GuideStep, swap: ValueSwap): { page: GuideStep['page_context']; unknown: boolean } {
  const url = step.page_context?.url;
  if (!url || !showsValue(url, swap)) return { page: step.page_context, unknown: false };
  const mine = exactWithValue(url, swap);
  return mine ? { page: { ...step.page_context, url: mine }, unknown: false } : { page: step.page_context, unknown: true };
}

/**
 * `steps[i]` with the recorder's typed values written as this colleague's: its target (selectors,
 * element, selector variants), texts and expected outcome when it shows an earlier free value
 * (`value_from`; unknown: the parts that name it dropped, and its names made generic), and its
 * page address when that shows one.
 */
export function boundStep(steps: readonly GuideStep[], i: number, values: WalkValues): BoundStep {
  const step = steps[i]!;
  let out = step;
  let urlUnknown = false;
  const pageFrom = pageSourceOf(steps, i);
  const from = sourceIndexOf(steps, i);
  if (from !== null) {
    const swap = valueSwap(steps[from]!.action_data?.input_value, values[from] ?? null)!;
    const target = withValue({ selectors: step.selectors, element_meta: step.element_meta } as unknown as StepTarget, steps[from]!.action_data?.input_value, values[from] ?? null);
    const label = textWithValue(step.field_label, swap);
    const instruction = textWithValue(step.instruction, swap);
    const page = pageWithValue(step, swap);
    urlUnknown = page.unknown;
    out = {
      ...step,
      selectors: target.selectors as GuideStep['selectors'],
      element_meta: target.element_meta as GuideStep['element_meta'],
      page_context: page.page,
      selector_variants: step.selector_variants?.map((v) => {
        const t = withValue({ selectors: v.selectors, element_meta: v.element_meta ?? null } as unknown as StepTarget, steps[from]!.action_data?.input_value, values[from] ?? null);
        return { ...v, selectors: t.selectors as typeof v.selectors, element_meta: (t.element_meta ?? null) as typeof v.element_meta };
      }),
      expected_outcome: outcomeWithValue(step.expected_outcome, swap),
      // A name that quoted the recorder's value: the colleague's, or (unknown) what it is.
      field_label: swap.colleague === null && label !== step.field_label ? null : label,
      instruction: swap.colleague === null && instruction !== step.instruction ? null : instruction,
      // The recorded screenshot shows the recorder's value: not a picture of the colleague's.
      screenshot_url: null,
    };
    if (swap.colleague === null && !out.field_label) out = { ...out, field_label: createdName(step) };
    if (swap.colleague === null && !out.instruction) out = { ...out, instruction: step.action_type === 'navigate' ? 'Go to the page you created.' : `Open ${createdName(step).toLowerCase()}.` };
    return { step: out, bound: true, unknown: swap.colleague === null, urlUnknown };
  }
  if (pageFrom !== null) {
    const swap = valueSwap(steps[pageFrom]!.action_data?.input_value, values[pageFrom] ?? null)!;
    const page = pageWithValue(step, swap);
    out = { ...step, page_context: page.page };
    urlUnknown = page.unknown;
  }
  return { step: out, bound: false, unknown: false, urlUnknown };
}

/**
 * The values after step `i` was done (`value`: what the colleague committed) or skipped
 * (`value` null): kept only when a later step looks for it, trimmed to the contract's bound.
 */
export function rememberValue(values: WalkValues | undefined, steps: readonly GuideStep[], i: number, value: string | null): WalkValues {
  const out: WalkValues = { ...(values ?? {}) };
  delete out[i];
  const v = value?.trim() ?? '';
  if (v && isValueSource(steps, i)) out[i] = v.slice(0, 5000);
  return out;
}

/**
 * `text` (recorded words a card quotes, e.g. what surrounded the element), or '' when it shows a
 * value the recorder typed at a personal or free step before step `i`: those words were the
 * recorder's own data (their row, their name), which a card never reads back to a colleague, and
 * what is left of them says little.
 */
export function withoutRecordedValues(text: string, steps: readonly GuideStep[], i: number): string {
  for (let k = 0; k < i; k++) {
    const s = steps[k]!;
    if (!takesAnyValue(s)) continue;
    const swap = valueSwap(s.action_data?.input_value, null);
    if (swap && showsValue(text, swap)) return '';
  }
  return text;
}
