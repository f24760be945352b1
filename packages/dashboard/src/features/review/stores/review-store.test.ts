import { describe, expect, it } from 'vitest';
import type { Step } from '../../../lib/schemas';
import { apiError, installFakeFetch, json } from '../../../testing/fake-fetch';
import { makeDetail, makeStep } from '../../../testing/fixtures';
import { useReviewStore } from './review-store';

describe('review store', () => {
  it('loads a workflow with its version', async () => {
    installFakeFetch({ 'GET /api/workflows/10': () => json(200, { data: makeDetail(), meta: {} }, { ETag: '"v1"' }) });
    await useReviewStore.getState().load(10);
    expect(useReviewStore.getState()).toMatchObject({ etag: '"v1"', conflict: false });
    expect(useReviewStore.getState().workflow?.steps).toHaveLength(2);
  });

  it('sends changes one at a time, each with the version the previous one answered', async () => {
    let version = 1;
    const { calls } = installFakeFetch({
      'GET /api/workflows/10': () => json(200, { data: makeDetail(), meta: {} }, { ETag: `"v${version}"` }),
      'PATCH /api/workflows/10/steps/101': (req) => {
        if (req.headers['if-match'] !== `"v${version}"`) return apiError(412, 'PRECONDITION_FAILED', 'stale');
        version += 1;
        return json(200, { data: { ...makeStep({ step_number: 1 }), ...(req.body as Partial<Step>), label_edited: true }, meta: {} }, { ETag: `"v${version}"` });
      },
    });
    await useReviewStore.getState().load(10);
    const s = useReviewStore.getState();
    await Promise.all([s.saveStep(101, { field_label: 'First' }), s.saveStep(101, { instruction: 'Then this' })]);
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.headers['if-match'])).toEqual(['"v1"', '"v2"']);
    expect(useReviewStore.getState().etag).toBe('"v3"');
    expect(useReviewStore.getState().workflow?.steps[0]).toMatchObject({ instruction: 'Then this', label_edited: true });
    expect(useReviewStore.getState().conflict).toBe(false);
  });

  it('a 412 marks the page out of date and rethrows', async () => {
    installFakeFetch({
      'GET /api/workflows/10': () => json(200, { data: makeDetail(), meta: {} }, { ETag: '"v1"' }),
      'PUT /api/workflows/10': () => apiError(412, 'PRECONDITION_FAILED', 'stale'),
    });
    await useReviewStore.getState().load(10);
    await expect(useReviewStore.getState().saveWorkflow({ status: 'active' })).rejects.toMatchObject({ status: 412 });
    expect(useReviewStore.getState().conflict).toBe(true);
    await useReviewStore.getState().load(10);
    expect(useReviewStore.getState().conflict).toBe(false);
  });

  it('a move shows at once and goes back when the server refuses it', async () => {
    let refuse = true;
    installFakeFetch({
      'GET /api/workflows/10': () => json(200, { data: makeDetail(), meta: {} }, { ETag: '"v1"' }),
      'PUT /api/workflows/10/steps/order': (req) => {
        if (refuse) return apiError(500, 'INTERNAL_ERROR', 'no');
        const ids = (req.body as { step_ids: number[] }).step_ids;
        const steps = ids.map((id, i) => ({ ...makeStep({ step_number: id - 100 }), step_number: i + 1 }));
        return json(200, { data: makeDetail({}, steps), meta: {} }, { ETag: '"v2"' });
      },
    });
    await useReviewStore.getState().load(10);
    const pending = useReviewStore.getState().moveStep(102, -1);
    expect(useReviewStore.getState().workflow?.steps.map((s) => s.id)).toEqual([102, 101]);
    await expect(pending).rejects.toMatchObject({ status: 500 });
    expect(useReviewStore.getState().workflow?.steps.map((s) => s.id)).toEqual([101, 102]);
    refuse = false;
    await useReviewStore.getState().moveStep(102, -1);
    expect(useReviewStore.getState().workflow?.steps.map((s) => s.id)).toEqual([102, 101]);
    expect(useReviewStore.getState().etag).toBe('"v2"');
  });

  it('a deleted step leaves with the version the 204 answered', async () => {
    installFakeFetch({
      'GET /api/workflows/10': () => json(200, { data: makeDetail(), meta: {} }, { ETag: '"v1"' }),
      'DELETE /api/workflows/10/steps/101': () => json(204, null, { ETag: '"v2"' }),
    });
    await useReviewStore.getState().load(10);
    await useReviewStore.getState().deleteStep(101);
    expect(useReviewStore.getState().workflow?.steps.map((s) => [s.id, s.step_number])).toEqual([[102, 1]]);
    expect(useReviewStore.getState().etag).toBe('"v2"');
  });
});
