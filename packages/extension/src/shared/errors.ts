// A short rolling log of errors, tagged by module, readable from the popup (after Refined
// GitHub's helpers/errors.ts and uBOL's debug log). Kept in chrome.storage.local.
import type { ErrorEntry } from './types';

export const MAX_ERRORS = 30;
const KEY = 'errors';

export function appendError(list: readonly ErrorEntry[], entry: ErrorEntry, max = MAX_ERRORS): ErrorEntry[] {
  const last = list[list.length - 1];
  // The same failure repeating (a retry loop) is one line, refreshed.
  if (last && last.module === entry.module && last.message === entry.message) return [...list.slice(0, -1), entry];
  return [...list, entry].slice(-max);
}

export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

let chain: Promise<unknown> = Promise.resolve();

/** Records an error; never throws (logging must not become the next error). */
export function logError(module: string, e: unknown): Promise<void> {
  const entry: ErrorEntry = { at: Date.now(), module, message: messageOf(e).slice(0, 500) };
  console.warn(`[stepwise:${module}]`, entry.message);
  const next = chain.then(async () => {
    try {
      const got = await chrome.storage.local.get(KEY);
      const list = (got[KEY] as ErrorEntry[] | undefined) ?? [];
      await chrome.storage.local.set({ [KEY]: appendError(list, entry) });
    } catch {
      /* storage unavailable: the console line is all we can do */
    }
  });
  chain = next;
  return next;
}

export async function readErrors(): Promise<ErrorEntry[]> {
  const got = await chrome.storage.local.get(KEY);
  return ((got[KEY] as ErrorEntry[] | undefined) ?? []).slice().reverse();
}

export async function clearErrors(): Promise<void> {
  await chrome.storage.local.remove(KEY);
}
