import { describe, expect, it } from 'vitest';
import { CaptureQueue, dataUrlToBlob } from './capture.background';

function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('CaptureQueue', () => {
  it('spaces captures to stay under 2 a second, in order, losing none', async () => {
    const clock = fakeClock();
    const q = new CaptureQueue({ ...clock, capture: async (w) => `data:image/jpeg;base64,${w}` });
    const results = await Promise.all([1, 2, 3, 4, 5].map((w) => q.enqueue({ windowId: w })));
    expect(results).toEqual([1, 2, 3, 4, 5].map((w) => `data:image/jpeg;base64,${w}`));
    for (let i = 1; i < q.starts.length; i++) expect(q.starts[i]! - q.starts[i - 1]!).toBeGreaterThanOrEqual(500);
    // No one-second window ever holds more than two capture calls.
    for (const s of q.starts) expect(q.starts.filter((x) => x >= s && x < s + 1000).length).toBeLessThanOrEqual(2);
  });

  it('retries a capture refused for the quota instead of dropping it', async () => {
    const clock = fakeClock();
    let calls = 0;
    const q = new CaptureQueue({
      ...clock,
      capture: async () => {
        calls++;
        if (calls === 1) throw new Error('This request exceeds the MAX_CAPTURE_VISIBLE_TAB_CALLS_PER_SECOND quota.');
        return 'data:image/jpeg;base64,AA==';
      },
    });
    expect(await q.enqueue({ windowId: 1 })).toBe('data:image/jpeg;base64,AA==');
    expect(calls).toBe(2);
  });

  it('tries again at once when the frame could not be read back (a page being replaced), once', async () => {
    const clock = fakeClock();
    let calls = 0;
    const q = new CaptureQueue({
      ...clock,
      capture: async () => {
        calls++;
        if (calls === 1) throw new Error('Failed to capture tab: image readback failed');
        return 'data:image/jpeg;base64,AA==';
      },
    });
    expect(await q.enqueue({ windowId: 1 })).toBe('data:image/jpeg;base64,AA==');
    expect(calls).toBe(2);
    expect(q.starts[1]! - q.starts[0]!).toBeLessThan(100);
    const errors: string[] = [];
    const failing = new CaptureQueue({ ...fakeClock(), capture: async () => Promise.reject(new Error('image readback failed')), onError: (m) => errors.push(m) });
    expect(await failing.enqueue({ windowId: 1 })).toBeNull();
    expect(errors).toEqual(['image readback failed']);
  });

  it('gives up at once on other errors and reports them', async () => {
    const errors: string[] = [];
    const q = new CaptureQueue({ ...fakeClock(), capture: async () => Promise.reject(new Error('Cannot access a chrome:// URL')), onError: (m) => errors.push(m) });
    expect(await q.enqueue({ windowId: 1 })).toBeNull();
    expect(errors).toEqual(['Cannot access a chrome:// URL']);
    // The queue keeps working after a failure.
    const ok = new CaptureQueue({ ...fakeClock(), capture: async () => 'x' });
    expect(await ok.enqueue({ windowId: 1 })).toBe('x');
  });
});

describe('dataUrlToBlob', () => {
  it('decodes the bytes and names them by their SHA-256', async () => {
    const { blob, hash } = await dataUrlToBlob(`data:image/jpeg;base64,${Buffer.from('abc').toString('base64')}`);
    expect(blob.type).toBe('image/jpeg');
    expect(Buffer.from(await blob.arrayBuffer()).toString()).toBe('abc');
    expect(hash).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
