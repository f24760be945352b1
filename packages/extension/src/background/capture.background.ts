// Screenshots: one per step with chrome.tabs.captureVisibleTab. Chrome allows 2 captures a
// second per extension (MAX_CAPTURE_VISIBLE_TAB_CALLS_PER_SECOND); faster steps would lose
// theirs, so captures go through one queue that spaces them out, and a capture refused for the
// quota is tried again rather than dropped.

export const MIN_CAPTURE_INTERVAL_MS = 550;
const MAX_TRIES = 3;
const READBACK_RETRY_MS = 40;

export interface CaptureJob {
  windowId: number;
}

export interface CaptureDeps {
  capture: (windowId: number) => Promise<string>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  minIntervalMs?: number;
  /** Told about a capture that failed for good (logged, so a missing screenshot has a reason). */
  onError?: (message: string) => void;
}

export class CaptureQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private lastStart = -Infinity;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly minInterval: number;
  /** Start times of every capture call, for tests and the bench. */
  readonly starts: number[] = [];

  constructor(private readonly deps: CaptureDeps) {
    this.now = deps.now ?? (() => Date.now());
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.minInterval = deps.minIntervalMs ?? MIN_CAPTURE_INTERVAL_MS;
  }

  /** Resolves with a data URL, or null when the tab could not be captured. Jobs run in order. */
  enqueue(job: CaptureJob): Promise<string | null> {
    const run = this.tail.then(() => this.run(job));
    this.tail = run.catch(() => null);
    return run;
  }

  private async run(job: CaptureJob): Promise<string | null> {
    let readbackRetry = false;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      // A retry after a failed readback goes at once: the failed call and the retry are the two
      // calls the per-second quota allows.
      const wait = readbackRetry ? 0 : this.lastStart + this.minInterval - this.now();
      readbackRetry = false;
      if (wait > 0) await this.sleep(wait);
      this.lastStart = this.now();
      this.starts.push(this.lastStart);
      try {
        return await this.deps.capture(job.windowId);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        // The compositor could not read the frame back (the page is just being replaced by the
        // one a click loads): the old page is still on screen for a moment, so try again at once.
        if (/readback failed/i.test(message) && attempt === 0) {
          await this.sleep(READBACK_RETRY_MS);
          readbackRetry = true;
          continue;
        }
        // Quota: wait a whole second window and try again. Anything else (tab hidden, a page
        // the browser will not let us capture) will not get better by retrying.
        if (!/MAX_CAPTURE_VISIBLE_TAB_CALLS_PER_SECOND|quota/i.test(message)) {
          this.deps.onError?.(message);
          return null;
        }
        await this.sleep(1000);
      }
    }
    this.deps.onError?.(`capture refused ${MAX_TRIES} times for the per-second quota`);
    return null;
  }
}

/** `data:image/jpeg;base64,...` → bytes and `sha256:<hex>` of them. */
export async function dataUrlToBlob(dataUrl: string): Promise<{ blob: Blob; hash: string }> {
  const comma = dataUrl.indexOf(',');
  const mime = /^data:([^;,]+)/.exec(dataUrl)?.[1] ?? 'image/jpeg';
  const bin = atob(dataUrl.slice(comma + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return { blob: new Blob([bytes], { type: mime }), hash: `sha256:${hex}` };
}
