import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOAST_TIMEOUT_MS, toast, useToastStore } from './toast-store';

describe('toast store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pushes and dismisses toasts', () => {
    const id = toast.success('Saved');
    toast.error({ title: 'Request failed', message: 'Nope', requestId: 'abc' });
    expect(useToastStore.getState().toasts).toMatchObject([
      { id, kind: 'success', title: 'Saved' },
      { kind: 'error', title: 'Request failed', message: 'Nope', requestId: 'abc' },
    ]);
    useToastStore.getState().dismiss(id);
    expect(useToastStore.getState().toasts.map((t) => t.kind)).toEqual(['error']);
  });

  it('removes toasts after their time, errors last longest', () => {
    toast.success('Saved');
    toast.error({ title: 'Failed' });
    vi.advanceTimersByTime(TOAST_TIMEOUT_MS.success + 1);
    expect(useToastStore.getState().toasts.map((t) => t.title)).toEqual(['Failed']);
    vi.advanceTimersByTime(TOAST_TIMEOUT_MS.error);
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it('keeps at most four on screen, the newest', () => {
    for (let i = 1; i <= 6; i++) toast.info(`t${i}`);
    expect(useToastStore.getState().toasts.map((t) => t.title)).toEqual(['t3', 't4', 't5', 't6']);
  });
});
