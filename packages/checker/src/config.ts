// Settings, from the environment the server starts the checker with (docs/checker.md, Supervision).

export interface Config {
  /** Checks (pages) at once; more check messages wait in a queue. */
  concurrency: number;
  /** The JS heap one page may use before it is closed and its check ends with an error. */
  maxHeapBytes: number;
  /** A check message without timeout_ms gets this. */
  defaultTimeoutMs: number;
  chromiumPath: string;
  /** How long a heal request waits for the server's heal_result before it counts as none. */
  healWaitMs: number;
  /** How often each page's heap is read. */
  heapPollMs: number;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

export function configFrom(env: NodeJS.ProcessEnv): Config {
  return {
    concurrency: intFrom(env, 'CHECKS_CONCURRENCY', 2, 1, 64),
    maxHeapBytes: intFrom(env, 'CHECKER_MAX_HEAP_MB', 512, 16, 65536) * 1024 * 1024,
    defaultTimeoutMs: intFrom(env, 'CHECK_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    healWaitMs: 30_000,
    heapPollMs: 500,
  };
}
