import { describe, expect, it } from 'vitest';
import { makeStep } from '../../../testing/fixtures';
import { formatDuration, intervalLabel, replayValueSteps } from './check-labels';

describe('check labels', () => {
  it.each([
    [null, '—'],
    [0, '0 ms'],
    [850, '850 ms'],
    [1000, '1.0 s'],
    [12_340, '12.3 s'],
    [59_940, '59.9 s'],
    [125_000, '2 min 5 s'],
  ])('duration %s → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [15, '15 min'],
    [60, '1 h'],
    [1440, '24 h'],
    [45, '45 min'],
    [90, '1 h 30 min'],
    [180, '3 h'],
  ])('interval %s min → %s', (minutes, text) => {
    expect(intervalLabel(minutes)).toBe(text);
  });

  it('replay asks for values only on personal and free steps that type or choose', () => {
    const steps = [
      makeStep({ step_number: 1, action_type: 'click', action_data: { value_kind: 'personal' } }),
      makeStep({ step_number: 2, action_type: 'input_commit', action_data: { value_kind: 'personal' } }),
      makeStep({ step_number: 3, action_type: 'input_commit', action_data: { value_kind: 'free' } }),
      makeStep({ step_number: 4, action_type: 'input_commit', action_data: { value_kind: 'fixed', value_masked: true } }),
      makeStep({ step_number: 5, action_type: 'input_commit', action_data: { value_masked: true } }),
      makeStep({ step_number: 6, action_type: 'input_commit', action_data: null }),
      makeStep({ step_number: 7, action_type: 'select_change', action_data: { value_kind: 'free' } }),
    ];
    expect(replayValueSteps(steps).map((s) => s.step_number)).toEqual([2, 3, 5, 7]);
  });
});
