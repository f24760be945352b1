// Retry delays for uploads and health reports while the server is unreachable.

/** Exponential backoff with full jitter: attempt 0 → up to 1 s, then 2 s, 4 s, … capped. */
export function backoffMs(attempt: number, { baseMs = 1000, maxMs = 5 * 60_000, random = Math.random } = {}): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  // Never retry sooner than half the ceiling: a fleet of clients spreads out without hammering.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Network failures, 408, 425, 429 and 5xx are worth retrying; other 4xx answers are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;
}

export function uuid(): string {
  return crypto.randomUUID();
}
