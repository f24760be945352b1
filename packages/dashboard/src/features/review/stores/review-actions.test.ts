import { describe, expect, it } from 'vitest';
import { makeDetail, makeStep, makeWorkflow } from '../../../testing/fixtures';
import { emptyReview, loaded, movedOrder, progressed, reordered, stepRemoved, stepSaved, workflowSaved } from './review-actions';

const three = () => makeDetail({}, [makeStep({ step_number: 1 }), makeStep({ step_number: 2 }), makeStep({ step_number: 3 })]);

describe('review actions', () => {
  it('a saved step replaces its old self and the version moves on', () => {
    const s = loaded(emptyReview, three(), '"v1"');
    const next = stepSaved(s, { ...makeStep({ step_number: 2 }), field_label: 'Plan', label_edited: true }, '"v2"');
    expect(next.workflow?.steps.map((x) => x.field_label)).toEqual(['Label 1', 'Plan', 'Label 3']);
    expect(next.etag).toBe('"v2"');
    expect(s.workflow?.steps[1]?.field_label).toBe('Label 2');
  });

  it('removing a step renumbers the rest and updates the count', () => {
    const s = stepRemoved(loaded(emptyReview, three(), '"v1"'), 101, '"v2"');
    expect(s.workflow?.steps.map((x) => [x.id, x.step_number])).toEqual([
      [102, 1],
      [103, 2],
    ]);
    expect(s.workflow?.step_count).toBe(2);
  });

  it('moving a step swaps it with its neighbour, never past the ends', () => {
    const steps = three().steps;
    expect(movedOrder(steps, 102, -1)).toEqual([102, 101, 103]);
    expect(movedOrder(steps, 102, 1)).toEqual([101, 103, 102]);
    expect(movedOrder(steps, 101, -1)).toBeNull();
    expect(movedOrder(steps, 103, 1)).toBeNull();
    expect(movedOrder(steps, 999, 1)).toBeNull();
  });

  it('a new order is shown renumbered; an order that does not name every step is ignored', () => {
    const s = loaded(emptyReview, three(), null);
    expect(reordered(s, [103, 101, 102]).workflow?.steps.map((x) => [x.id, x.step_number])).toEqual([
      [103, 1],
      [101, 2],
      [102, 3],
    ]);
    expect(reordered(s, [103, 101])).toBe(s);
  });

  it('a saved workflow keeps its steps (the PUT answer has none)', () => {
    const s = loaded(emptyReview, three(), '"v1"');
    const next = workflowSaved(s, makeWorkflow({ name: 'Renamed', status: 'active' }), '"v2"');
    expect(next.workflow).toMatchObject({ name: 'Renamed', status: 'active' });
    expect(next.workflow?.steps).toHaveLength(3);
  });

  it('labeling progress: only for this workflow, clamped, never backwards, cleared when labeling ends', () => {
    let s = loaded(emptyReview, makeDetail({ id: 10, status: 'processing' }), null);
    s = progressed(s, { workflow_id: 99, done: 1, total: 2 });
    expect(s.progress).toBeNull();
    s = progressed(s, { workflow_id: 10, done: 2, total: 5, failed: 1 });
    expect(s.progress).toEqual({ done: 2, total: 5, failed: 1 });
    s = progressed(s, { workflow_id: 10, done: 1, total: 5 });
    expect(s.progress?.done).toBe(2);
    s = progressed(s, { workflow_id: 10, done: 9, total: 5 });
    expect(s.progress?.done).toBe(5);
    s = loaded(s, makeDetail({ id: 10, status: 'needs_review' }), null);
    expect(s.progress).toBeNull();
  });
});
