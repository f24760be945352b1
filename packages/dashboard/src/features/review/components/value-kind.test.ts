import { describe, expect, it } from 'vitest';
import type { Step } from '../../../lib/schemas';
import { recordedValue, takesValue, valueKindOf } from './value-kind';

describe('value kind of a step', () => {
  const data = (d: Step['action_data']) => ({ action_data: d });
  it.each([
    ['set', data({ value_kind: 'free' }), 'free'],
    ['set on a masked step', data({ value_kind: 'fixed', value_masked: true }), 'fixed'],
    ['absent', data({ input_value: 'x' }), 'fixed'],
    ['null', data({ value_kind: null }), 'fixed'],
    ['absent, masked', data({ value_masked: true }), 'personal'],
    ['no action data', data(null), 'fixed'],
  ] as const)('%s → %s', (_name, step, kind) => expect(valueKindOf(step)).toBe(kind));

  it('applies to typed and chosen values only', () => {
    expect((['input_commit', 'select_change', 'click', 'submit', 'navigate'] as const).map((action_type) => takesValue({ action_type }))).toEqual([true, true, false, false, false]);
  });

  it('shows the recorded value short, never a masked one', () => {
    expect(recordedValue(data({ input_value: '  Q3\n Report ' }))).toBe('Q3 Report');
    expect(recordedValue(data({ input_value: 'x'.repeat(100) }), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(recordedValue(data({ input_value: 'secret', value_masked: true }))).toBeNull();
    expect(recordedValue(data({ input_value: '   ' }))).toBeNull();
    expect(recordedValue(data(null))).toBeNull();
  });
});
