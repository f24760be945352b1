// The checker's state between lines: the queue of checks, the ones running (at most
// `concurrency`), the heal requests waiting for the server, and the one `done` each check gets.
// Messages arrive through a handler map (one handler per type); the transport is main.ts's.
import type { Browser } from 'playwright-core';
import type { BrowserHost } from './browser.js';
import { runCheck } from './check-run.js';
import type { Config } from './config.js';
import { CheckEnd } from './page-ops.js';
import { parseLine, type CancelMessage, type CheckMessage, type DoneStatus, type HealDecision, type HealResultMessage, type Inbound, type Outbound } from './protocol.js';

interface Running {
  msg: CheckMessage;
  ac: AbortController;
  seq: number;
}

export interface ServiceOptions {
  config: Config;
  host: BrowserHost;
  guideCore: string;
  emit(line: Outbound): void;
  /** --once: heal requests are answered with null at once (nobody to ask). */
  healsAnswerNull?: boolean;
}

type Handlers = { [K in Inbound['type']]: (msg: Extract<Inbound, { type: K }>) => void };

export class CheckerService {
  private readonly queue: CheckMessage[] = [];
  private readonly running = new Map<string, Running>();
  private readonly heals = new Map<string, (d: HealDecision | null) => void>();
  private readonly idle = new Set<() => void>();
  private stopping = false;

  private readonly handlers: Handlers = {
    check: (m) => this.enqueue(m),
    heal_result: (m) => this.healResult(m),
    cancel: (m) => this.cancel(m),
  };

  constructor(private readonly opts: ServiceOptions) {}

  private log(level: 'info' | 'warn' | 'error', message: string, id?: string): void {
    this.opts.emit(id === undefined ? { type: 'log', level, message } : { type: 'log', level, message, id });
  }

  /** One line from the server. Never throws: a bad line is a `log` line with level error. */
  handleLine(line: string): void {
    if (!line.trim()) return;
    const parsed = parseLine(line);
    if (parsed.kind === 'ignored') return;
    if (parsed.kind === 'invalid') {
      this.log('error', `bad input line: ${parsed.error}`, parsed.id);
      // A check the server sent but cannot run still gets its one `done`.
      if (parsed.id && /^check\b/.test(parsed.error) && !this.known(parsed.id)) this.done(parsed.id, 'error', parsed.error, 0);
      return;
    }
    this.dispatch(parsed.message);
  }

  private dispatch<T extends Inbound>(msg: T): void {
    (this.handlers[msg.type] as (m: T) => void)(msg);
  }

  private known(id: string): boolean {
    return this.running.has(id) || this.queue.some((q) => q.id === id);
  }

  private enqueue(msg: CheckMessage): void {
    if (this.stopping) {
      this.done(msg.id, 'error', 'the checker is shutting down', 0);
      return;
    }
    if (this.known(msg.id)) {
      this.log('error', `check ${msg.id} is already queued or running; the second one is ignored`, msg.id);
      return;
    }
    this.queue.push(msg);
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.opts.config.concurrency && this.queue.length) this.start(this.queue.shift()!);
    if (!this.running.size && !this.queue.length) for (const f of this.idle) f();
  }

  private done(id: string, status: DoneStatus, message: string | null, durationMs: number): void {
    this.opts.emit({ type: 'done', id, status, message, duration_ms: durationMs });
  }

  private start(msg: CheckMessage): void {
    const started = Date.now();
    const timeoutMs = msg.timeout_ms ?? this.opts.config.defaultTimeoutMs;
    const ac = new AbortController();
    const r: Running = { msg, ac, seq: 0 };
    this.running.set(msg.id, r);
    const timer = setTimeout(() => ac.abort(new CheckEnd('error', `the check timed out after ${timeoutMs} ms`)), timeoutMs);
    const ended = new Promise<{ status: DoneStatus; message: string | null }>((resolve) => ac.signal.addEventListener('abort', () => resolve(endOf(ac.signal.reason)), { once: true }));
    let unlisten = () => {};
    const work = (async () => {
      const browser = await this.opts.host.get().catch((e: Error) => {
        throw new CheckEnd('error', `Chromium could not be launched: ${e.message.split('\n')[0]}`);
      });
      unlisten = this.opts.host.onLost((b: Browser) => {
        if (b === browser) ac.abort(new CheckEnd('error', 'Chromium exited during the check'));
      });
      return runCheck(msg, {
        browser,
        guideCore: this.opts.guideCore,
        maxHeapBytes: this.opts.config.maxHeapBytes,
        heapPollMs: this.opts.config.heapPollMs,
        signal: ac.signal,
        deadline: started + timeoutMs,
        step: (line) => {
          if (!ac.signal.aborted) this.opts.emit({ type: 'step', id: msg.id, ...line });
        },
        heal: (request) => this.askHeal(r, request),
        log: (level, message) => this.log(level, message, msg.id),
      });
    })().catch((e: unknown) => endOf(ac.signal.aborted ? ac.signal.reason : e));
    // `done` as soon as the check ends (a timeout does not wait for the page); the slot is free
    // once its browser context is closed.
    void Promise.race([work, ended]).then((result) => {
      clearTimeout(timer);
      if (!ac.signal.aborted) ac.abort(new CheckEnd('error', 'finished'));
      this.done(msg.id, result.status, result.message, Date.now() - started);
      void work.finally(() => {
        unlisten();
        this.running.delete(msg.id);
        this.pump();
      });
    });
  }

  private askHeal(r: Running, request: Parameters<Parameters<typeof runCheck>[1]['heal']>[0]): Promise<HealDecision | null> {
    const seq = ++r.seq;
    this.opts.emit({ type: 'heal', id: r.msg.id, seq, ...request });
    if (this.opts.healsAnswerNull) return Promise.resolve(null);
    const key = `${r.msg.id}:${seq}`;
    return new Promise((resolve) => {
      const finish = (d: HealDecision | null) => {
        clearTimeout(timer);
        r.ac.signal.removeEventListener('abort', onAbort);
        this.heals.delete(key);
        resolve(d);
      };
      const onAbort = () => finish(null);
      const timer = setTimeout(() => {
        this.log('warn', `no heal_result for heal ${seq} within ${this.opts.config.healWaitMs} ms; going on without a decision`, r.msg.id);
        finish(null);
      }, this.opts.config.healWaitMs);
      r.ac.signal.addEventListener('abort', onAbort, { once: true });
      this.heals.set(key, finish);
    });
  }

  private healResult(m: HealResultMessage): void {
    const resolve = this.heals.get(`${m.id}:${m.seq}`);
    if (resolve) resolve(m.decision);
    else this.log('warn', `heal_result ${m.id}/${m.seq} matches no waiting heal request (late or unknown)`, m.id);
  }

  private cancel(m: CancelMessage): void {
    const at = this.queue.findIndex((q) => q.id === m.id);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.done(m.id, 'error', 'cancelled before it started', 0);
      this.pump();
      return;
    }
    const r = this.running.get(m.id);
    if (r) r.ac.abort(new CheckEnd('error', 'cancelled'));
    else this.log('warn', `cancel: no check ${m.id} is queued or running`, m.id);
  }

  /** Resolves when no check is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.running.size && !this.queue.length) return Promise.resolve();
    return new Promise((resolve) => {
      const f = () => {
        this.idle.delete(f);
        resolve();
      };
      this.idle.add(f);
    });
  }

  /** Ends every check (each gets its `done` with status error) and waits for their pages to close. */
  async shutdown(reason: string): Promise<void> {
    this.stopping = true;
    for (const q of this.queue.splice(0)) this.done(q.id, 'error', reason, 0);
    const closing = [...this.running.values()].map((r) => {
      r.ac.abort(new CheckEnd('error', reason));
      return new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (!this.running.has(r.msg.id)) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      });
    });
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 3000))]);
  }
}

function endOf(reason: unknown): { status: DoneStatus; message: string | null } {
  if (reason instanceof CheckEnd) return { status: reason.status, message: reason.message };
  return { status: 'error', message: `the check failed: ${((reason as Error)?.message ?? String(reason)).split('\n')[0]}` };
}
