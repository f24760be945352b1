import { describe, expect, it, vi } from 'vitest';
import type { CheckRun } from '../../../lib/schemas';
import { makeCheckRun } from '../../../testing/fixtures';
import { pollCheckRun } from './checks-api';

const states = (...s: CheckRun['state'][]) => s.map((state) => makeCheckRun({ state }));

/** A load that answers `runs` in turn, and a sleep that returns at once but records its waits. */
function fakes(runs: CheckRun[]) {
  let i = 0;
  const load = vi.fn(async () => runs[Math.min(i++, runs.length - 1)]!);
  const waits: number[] = [];
  const sleep = vi.fn(async (ms: number) => {
    waits.push(ms);
  });
  return { load, sleep, waits };
}

describe('polling a check run', () => {
  it('asks again every interval until the run has finished, then stops', async () => {
    const { load, sleep, waits } = fakes(states('queued', 'running', 'running', 'finished', 'finished'));
    const seen: string[] = [];
    const done = await pollCheckRun(load, { signal: new AbortController().signal, onUpdate: (r) => seen.push(r.state), sleep });
    expect(done?.state).toBe('finished');
    expect(seen).toEqual(['queued', 'running', 'running', 'finished']);
    expect(load).toHaveBeenCalledTimes(4);
    expect(waits).toEqual([1000, 1000, 1000]);
  });

  it('a run already finished is loaded once', async () => {
    const { load, sleep } = fakes(states('finished'));
    await pollCheckRun(load, { signal: new AbortController().signal, onUpdate: () => undefined, sleep });
    expect(load).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('stops when the page is left (the signal aborts), without another update', async () => {
    const controller = new AbortController();
    const { load } = fakes(states('running'));
    const onUpdate = vi.fn();
    const sleep = vi.fn(async () => controller.abort());
    expect(await pollCheckRun(load, { signal: controller.signal, onUpdate, sleep, intervalMs: 5 })).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
    expect(onUpdate).toHaveBeenCalledTimes(1);
  });

  it('a failed load ends the polling with its error', async () => {
    const load = vi.fn().mockResolvedValueOnce(makeCheckRun({ state: 'running' })).mockRejectedValueOnce(new Error('down'));
    await expect(pollCheckRun(load, { signal: new AbortController().signal, onUpdate: () => undefined, sleep: async () => undefined })).rejects.toThrow('down');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('waits with a real timer that the signal cuts short', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const load = vi.fn(async () => makeCheckRun({ state: 'running' }));
      const polling = pollCheckRun(load, { signal: controller.signal, onUpdate: () => undefined });
      await vi.advanceTimersByTimeAsync(0);
      expect(load).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(999);
      expect(load).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(load).toHaveBeenCalledTimes(2);
      controller.abort();
      expect(await polling).toBeNull();
      await vi.advanceTimersByTimeAsync(5000);
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
