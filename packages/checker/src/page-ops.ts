// What a check does to one page through Playwright: open an address, wait for the page to settle,
// capture the viewport, watch the page's JS heap, and act on an element as a person would.
import type { CDPSession, ElementHandle, Page, Response } from 'playwright-core';
import { fieldKind, optionValue, submitForm } from './in-page.js';
import type { Box } from './protocol.js';

/** The check ends here with this status: thrown out of the step loop. */
export class CheckEnd extends Error {
  constructor(
    readonly status: 'session_expired' | 'error',
    message: string,
    /** The page state where it ended, when known. */
    readonly hash: string | null = null,
  ) {
    super(message);
  }
}

/** A step's action failed (the check goes on with the next step). */
export class StepFailed extends Error {}

const SCREENSHOT_MAX_BYTES = 4 * 1024 * 1024;
const NAVIGATION_TIMEOUT_MS = 30_000;
const LOAD_WAIT_MS = 10_000;
const QUIET_MS = 250;
const SETTLE_MAX_MS = 3000;
const ACTION_TIMEOUT_MS = 10_000;
/** How packages/server/src/net/egress_proxy.cpp's 403 begins. */
const EGRESS_REFUSAL = 'Refused by the Stepwise egress policy';

/** Races `p` against the check's end: an aborted check stops waiting at once, with its reason. */
export function guard<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Requests of a page still in flight, for "the page has settled". */
export class NetworkWatch {
  private inflight = new Set<unknown>();
  private lastChange = Date.now();

  constructor(page: Page) {
    page.on('request', (r) => this.change(() => this.inflight.add(r)));
    page.on('requestfinished', (r) => this.change(() => this.inflight.delete(r)));
    page.on('requestfailed', (r) => this.change(() => this.inflight.delete(r)));
  }

  private change(f: () => void): void {
    f();
    this.lastChange = Date.now();
  }

  /** Waits until no request has been in flight for QUIET_MS, at most `maxMs` (long polls never end). */
  async quiet(maxMs = SETTLE_MAX_MS): Promise<void> {
    const until = Date.now() + maxMs;
    while (Date.now() < until) {
      if (this.inflight.size === 0 && Date.now() - this.lastChange >= QUIET_MS) return;
      await sleep(50);
    }
  }
}

/** After an action or a navigation: the page loaded and its requests done (bounded). */
export async function settle(page: Page, net: NetworkWatch): Promise<void> {
  await page.waitForLoadState('load', { timeout: LOAD_WAIT_MS }).catch(() => {});
  await net.quiet();
}

export type Navigation = { ok: true; response: Response | null } | { ok: false; error: string; proxyRefused: boolean };

/** Opens `url` in the page: the document loaded (the load event waited for, bounded). */
export async function navigate(page: Page, url: string, timeoutMs: number): Promise<Navigation> {
  try {
    const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: Math.max(1000, Math.min(NAVIGATION_TIMEOUT_MS, timeoutMs)) });
    if (response?.status() === 403) {
      // The server's egress proxy answers a refused request itself, saying so in the body.
      const body = await response.text().catch(() => '');
      if (body.startsWith(EGRESS_REFUSAL)) return { ok: false, error: body.trim(), proxyRefused: true };
    }
    return { ok: true, response };
  } catch (e) {
    const message = ((e as Error).message || String(e)).split('\n')[0]!;
    return { ok: false, error: message, proxyRefused: /net::ERR_(PROXY|TUNNEL)_/.test(message) };
  }
}

/** The viewport as a base64 JPEG (quality 70; lower when that is over 4 MiB); null when the page cannot be captured. */
export async function screenshot(page: Page): Promise<string | null> {
  for (const quality of [70, 40]) {
    try {
      const buf = await page.screenshot({ type: 'jpeg', quality, timeout: 10_000 });
      if (buf.length <= SCREENSHOT_MAX_BYTES) return buf.toString('base64');
    } catch {
      return null;
    }
  }
  return null;
}

/** Scrolls the element into view and returns its box in CSS pixels of the viewport; null when it has none. */
export async function boxOf(el: ElementHandle): Promise<Box | null> {
  await el.scrollIntoViewIfNeeded({ timeout: 2000 }).catch(() => {});
  const b = await el.boundingBox().catch(() => null);
  if (!b) return null;
  const r = (n: number) => Math.round(n * 100) / 100;
  return { x: r(b.x), y: r(b.y), width: r(b.width), height: r(b.height) };
}

/**
 * Reads the page's JS heap through CDP every `everyMs`; calls `over` (once) when it passes `maxBytes`.
 * Returns what stops it.
 */
export async function watchHeap(session: CDPSession, maxBytes: number, everyMs: number, over: (usedBytes: number) => void): Promise<() => void> {
  await session.send('Performance.enable');
  let stopped = false;
  const timer = setInterval(() => {
    session
      .send('Performance.getMetrics')
      .then(({ metrics }) => {
        const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
        if (!stopped && used > maxBytes) {
          stopped = true;
          clearInterval(timer);
          over(used);
        }
      })
      .catch(() => {});
  }, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
    session.detach().catch(() => {});
  };
}

function errorText(e: unknown): string {
  return ((e as Error).message || String(e)).split('\n')[0]!;
}

/** A click as a person's: Playwright waits for the element to be visible, stable and enabled. */
export async function click(el: ElementHandle): Promise<void> {
  try {
    await el.click({ timeout: ACTION_TIMEOUT_MS });
  } catch (e) {
    throw new StepFailed(`could not click the element: ${errorText(e)}`);
  }
}

/** Types or chooses `value` in the element the way the step recorded it. */
export async function enterValue(el: ElementHandle, action: 'input_commit' | 'select_change', value: string): Promise<void> {
  const field = await el.evaluate(fieldKind);
  try {
    if (field.kind === 'select') {
      const option = await el.evaluate(optionValue, value);
      if (option === null) throw new StepFailed(`the list has no option “${value}”`);
      await el.selectOption(option, { timeout: ACTION_TIMEOUT_MS });
    } else if (field.kind === 'check') {
      const want = /^(true|on|1|checked|yes)$/i.test(value.trim());
      if (field.checked !== want) await el.setChecked(want, { timeout: ACTION_TIMEOUT_MS });
    } else if (field.kind === 'text') {
      await el.fill(value, { timeout: ACTION_TIMEOUT_MS });
    } else if (action === 'select_change') {
      // A custom list: its option is what the step recorded, a click chooses it.
      await el.click({ timeout: ACTION_TIMEOUT_MS });
    } else {
      throw new StepFailed(`the element (${field.kind}) takes no typed value`);
    }
  } catch (e) {
    if (e instanceof StepFailed) throw e;
    throw new StepFailed(`could not enter the value: ${errorText(e)}`);
  }
}

/** Submits as the step recorded it: the form itself, Enter in a field, or its submit button. */
export async function submit(el: ElementHandle, submitKey: string | null | undefined): Promise<void> {
  try {
    const field = await el.evaluate(fieldKind);
    if (field.kind === 'form') await el.evaluate(submitForm);
    else if ((submitKey ?? '').toLowerCase() === 'enter' || field.kind === 'text') await el.press('Enter', { timeout: ACTION_TIMEOUT_MS });
    else await el.click({ timeout: ACTION_TIMEOUT_MS });
  } catch (e) {
    throw new StepFailed(`could not submit: ${errorText(e)}`);
  }
}
