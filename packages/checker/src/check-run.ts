// One check: a fresh browser context (the check's proxy, its session), then every step in order —
// reach its page, find its element with guide-core (the server decides when the selectors fail),
// capture it, and perform it when the mode allows (docs/checker.md, "What a check does").
// The decisions are rules.ts's; the page work is page-ops.ts's and in-page.ts's.
import type { Browser, BrowserContext, ElementHandle, Frame, JSHandle, Page } from 'playwright-core';
import { clickFacts, pageFacts, pageLocate, type LocateArgs, type LocateHandle, type LocateSummary } from './in-page.js';
import { boxOf, CheckEnd, click, enterValue, guard, navigate, NetworkWatch, screenshot, settle, StepFailed, submit, watchHeap } from './page-ops.js';
import type { Box, CheckMessage, CheckStep, DoneStatus, HealDecision, HealLine, StepLine, StepMethod, StepOutcome } from './protocol.js';
import { doneStatus, healVerdict, isNonMutating, isSignInUrl, looksSignedOut, methodFor, pageKey, Reachability, recordingHadPassword, replayValue, webUrl, withoutHash } from './rules.js';
import { planVariants } from './variants.js';

/** What the service gives a check. */
export interface CheckDeps {
  browser: Browser;
  guideCore: string;
  maxHeapBytes: number;
  heapPollMs: number;
  /** Aborted (with a CheckEnd as reason) on timeout, cancel, or when Chromium goes away. */
  signal: AbortSignal;
  /** When the check must be over (ms since the epoch). */
  deadline: number;
  step(line: Omit<StepLine, 'type' | 'id'>): void;
  /** Sends a heal request and waits for the server's decision (null: none in time). */
  heal(request: Omit<HealLine, 'type' | 'id' | 'seq'>): Promise<HealDecision | null>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

const DEFAULT_VIEWPORT = { width: 1280, height: 800 };
/** As the walkthrough: the longest wait for late rendering, and the quiet before healing. */
const LOCATE_TIMEOUT_MS = 6000;
const LOCATE_QUIET_MS = 600;
const CROSS_FRAME_WAIT_MS = 5000;

/** pageLocate's result as node types it: the elements stay in the page. */
type LocateView = Omit<LocateHandle, 'found' | 'candidates' | 'opener'> & { found: unknown; candidates: unknown[]; opener: unknown };

/** Where a step's element was looked for, and what was found. */
interface Located {
  frame: Frame;
  summary: LocateSummary;
  handle: JSHandle<LocateView>;
  /** Said about a hidden element that could not be shown. */
  note: string | null;
}

interface Verdict {
  outcome: StepOutcome;
  method: StepMethod;
  element: ElementHandle | null;
  selector: string | null;
  score: number | null;
  message: string | null;
}

export async function runCheck(msg: CheckMessage, deps: CheckDeps): Promise<{ status: DoneStatus; message: string | null }> {
  const run = new CheckRun(msg, deps);
  try {
    return await run.run();
  } finally {
    await run.close();
  }
}

class CheckRun {
  private context: BrowserContext | null = null;
  private page!: Page;
  private net!: NetworkWatch;
  private readonly stops: (() => void)[] = [];
  /** Aborted by the service's signal, or here (the page crashed, used too much heap). */
  private readonly ac = new AbortController();
  private readonly reach = new Reachability();
  private readonly outcomes: StepOutcome[] = [];
  /** The previous step was performed and changed the page's address: its page is where it led. */
  private led = false;
  /** Main-frame documents loaded so far: an element handle from an earlier one is gone. */
  private documents = 0;
  private previous: { element: ElementHandle; target: LocateArgs['target']; document: number; frame: Frame } | null = null;
  private popup: Page | null = null;
  private lastNavigationUrl: string | null = null;
  private closed = false;

  constructor(
    private readonly msg: CheckMessage,
    private readonly deps: CheckDeps,
  ) {
    const forward = () => this.ac.abort(deps.signal.reason);
    if (deps.signal.aborted) forward();
    else deps.signal.addEventListener('abort', forward, { once: true });
  }

  private get signal(): AbortSignal {
    return this.ac.signal;
  }

  private g<T>(p: Promise<T>): Promise<T> {
    return guard(p, this.signal);
  }

  private remaining(): number {
    return Math.max(0, this.deps.deadline - Date.now());
  }

  async run(): Promise<{ status: DoneStatus; message: string | null }> {
    await this.g(this.open());
    const steps = this.msg.workflow.steps;
    for (let i = 0; i < steps.length; i++) {
      try {
        await this.step(i);
      } catch (e) {
        if (this.signal.aborted) throw this.signal.reason;
        if (e instanceof CheckEnd) return { status: e.status, message: e.message };
        throw e;
      }
    }
    const status = doneStatus(this.outcomes);
    const counts = this.outcomes.reduce<Record<string, number>>((m, o) => ({ ...m, [o]: (m[o] ?? 0) + 1 }), {});
    return { status, message: Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'no steps' };
  }

  private async open(): Promise<void> {
    const { msg, deps } = this;
    const context = await deps.browser.newContext({
      viewport: msg.viewport ?? DEFAULT_VIEWPORT,
      ...(msg.proxy ? { proxy: { server: msg.proxy } } : {}),
      acceptDownloads: false,
      serviceWorkers: 'block',
    });
    if (this.closed) {
      // The check ended while the context was being made (a timeout, a cancel).
      void context.close().catch(() => {});
      throw this.signal.reason;
    }
    this.context = context;
    await context.addInitScript({ content: deps.guideCore });
    if (msg.session) await this.addSession(context, msg.session);
    context.on('page', (p) => void this.watchPage(p));
    this.page = await context.newPage();
    this.net = new NetworkWatch(this.page);
    this.page.on('popup', (p) => (this.popup = p));
  }

  /** The session's cookies, and its local storage written by the first page of its origin. */
  private async addSession(context: BrowserContext, session: NonNullable<CheckMessage['session']>): Promise<void> {
    const cookies = session.cookies.map((c) => ({
      name: c.name,
      value: c.value,
      domain: c.domain,
      path: c.path,
      expires: typeof c.expires === 'number' && c.expires > 0 ? c.expires : -1,
      httpOnly: !!c.http_only,
      secure: !!c.secure,
      sameSite: c.same_site ?? 'Lax',
    }));
    try {
      await context.addCookies(cookies);
    } catch {
      // One cookie the browser refuses (SameSite=None without Secure …) must not cost the others.
      for (const c of cookies) await context.addCookies([c]).catch((e: Error) => this.deps.log('warn', `cookie ${c.name} for ${c.domain} not set: ${e.message.split('\n')[0]}`));
    }
    let origin = '';
    try {
      origin = new URL(session.origin).origin;
    } catch {
      this.deps.log('warn', `session origin ${session.origin} is not a URL; its local storage is not written`);
      return;
    }
    if (!session.local_storage.length) return;
    const script = await context.addInitScript(
      ({ origin, items }) => {
        if (location.origin !== origin) return;
        try {
          for (const it of items) localStorage.setItem(it.name, it.value);
        } catch {
          // Storage disabled for this document (sandboxed frame): nothing to write into.
        }
      },
      { origin, items: session.local_storage.map((s) => ({ name: s.name, value: s.value })) },
    );
    // Once per context: the first page of the origin has it; later pages keep what the app did with it.
    context.on('page', (p) =>
      p.on('load', () => {
        if (originOf(p.url()) === origin) void script.dispose().catch(() => {});
      }),
    );
  }

  /** Every page of the check: its heap capped, its crash the end of the check. */
  private async watchPage(p: Page): Promise<void> {
    p.on('crash', () => this.ac.abort(new CheckEnd('error', `the page crashed (${p.url()})`)));
    p.on('framenavigated', (f) => {
      if (f === p.mainFrame() && p === this.page) this.documents++;
    });
    p.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === p.mainFrame()) this.lastNavigationUrl = r.url();
    });
    try {
      const session = await p.context().newCDPSession(p);
      const mb = Math.round(this.deps.maxHeapBytes / 1024 / 1024);
      const stop = await watchHeap(session, this.deps.maxHeapBytes, this.deps.heapPollMs, (used) => {
        this.ac.abort(new CheckEnd('error', `the page used more JS heap than the checker allows (${Math.round(used / 1024 / 1024)} MB, cap ${mb} MB: CHECKER_MAX_HEAP_MB); it was closed`));
        void p.close().catch(() => {});
      });
      this.stops.push(stop);
    } catch {
      // The page closed before its session opened.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.stops) stop();
    const context = this.context;
    this.context = null;
    if (context) await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  }

  // ---- one step ----

  /** The step line; `where` is the page the element was looked for on (before acting on it). */
  private emit(i: number, started: number, v: Omit<Verdict, 'element'>, capture: { box: Box | null; shot: string | null; hash: string | null; where: string | null }): void {
    this.outcomes.push(v.outcome);
    this.deps.step({
      step_id: this.msg.workflow.steps[i]!.id,
      index: i,
      outcome: v.outcome,
      method: v.method,
      score: v.score === null ? null : Math.round(v.score),
      selector: v.selector,
      time_ms: Date.now() - started,
      page_url: capture.where,
      page_state_hash: capture.hash,
      box: capture.box,
      viewport: this.page.viewportSize(),
      screenshot: capture.shot,
      message: v.message,
    });
  }

  /** An error step: what the page shows now, and why. */
  private async emitError(i: number, started: number, message: string, hash: string | null = null): Promise<void> {
    const shot = await this.g(screenshot(this.page));
    this.emit(i, started, { outcome: 'error', method: null, selector: null, score: null, message }, { box: null, shot, hash, where: this.pageUrl() });
  }

  private async step(i: number): Promise<void> {
    const step = this.msg.workflow.steps[i]!;
    const started = Date.now();
    try {
      const reached = await this.reachPage(step, i);
      if (reached !== null) return await this.emitError(i, started, reached);
      if (step.action_type === 'navigate') {
        await this.assertSignedIn(step, true);
        this.led = true;
        const facts = await this.g(this.page.evaluate(pageFacts)).catch(() => null);
        const shot = await this.g(screenshot(this.page));
        return this.emit(i, started, { outcome: 'found', method: null, selector: null, score: null, message: null }, { box: null, shot, hash: facts?.pageStateHash ?? null, where: this.pageUrl() });
      }
      const located = await this.locate(step);
      try {
        await this.finishStep(step, i, started, located);
      } finally {
        // The element handles taken from it stay; the page's list of candidates goes.
        void located.handle.dispose().catch(() => {});
      }
    } catch (e) {
      // The check ends at this step (signed out, refused by the proxy): the step says why first.
      if (e instanceof CheckEnd && !this.signal.aborted) await this.emitError(i, started, e.message, e.hash);
      throw e;
    }
  }

  private async finishStep(step: CheckStep, i: number, started: number, located: Located): Promise<void> {
    const verdict = await this.judge(step, located);
    let box: Box | null = null;
    if (verdict.element) box = await this.g(boxOf(verdict.element));
    const capture = { box, shot: await this.g(screenshot(this.page)), hash: located.summary.pageStateHash, where: this.pageUrl() };
    try {
      await this.act(step, i, verdict);
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e;
      this.led = false;
      return this.emit(i, started, { ...verdict, outcome: 'error', message: e.message }, capture);
    }
    if (verdict.element) this.previous = { element: verdict.element, target: { selectors: step.selectors, element_meta: step.element_meta }, document: this.documents, frame: located.frame };
    this.emit(i, started, verdict, capture);
  }

  private pageUrl(): string | null {
    const u = this.page.url();
    return u && u !== 'about:blank' ? u : null;
  }

  /**
   * Goes to the step's recorded page unless the page is already there (same origin and path) or
   * the previous performed step led where it is. Returns why it could not (the step is an error).
   */
  private async reachPage(step: CheckStep, i: number): Promise<string | null> {
    const want = webUrl(step.page_context.url) ?? (i === 0 ? webUrl(this.msg.workflow.starting_url) : null);
    const here = this.pageUrl();
    // A navigate step goes to its address whatever the previous step did.
    const ledHere = this.led && here !== null && step.action_type !== 'navigate';
    this.led = false;
    if (ledHere || (want && here && pageKey(here) === pageKey(want))) {
      await this.assertSignedIn(step, false);
      return null;
    }
    if (!want) return here ? null : `the step's page (${step.page_context.url}) is not a web address`;
    this.lastNavigationUrl = null;
    const nav = await this.g(navigate(this.page, want, this.remaining()));
    if (!nav.ok) {
      const last = this.lastNavigationUrl;
      if (last && isSignInUrl(last) && !isSignInUrl(want)) throw new CheckEnd('session_expired', `a sign-in page (${last}) where ${want} was expected`);
      if (nav.proxyRefused) throw new CheckEnd('error', `navigation to ${want} refused by the proxy: ${nav.error}`);
      return `could not open ${want}: ${nav.error}`;
    }
    this.previous = null;
    await this.g(settle(this.page, this.net));
    await this.assertSignedIn(step, false);
    return null;
  }

  /** Ends the check as session_expired when a sign-in page shows where the step's page was expected. */
  private async assertSignedIn(step: CheckStep, withPasswordField: boolean): Promise<void> {
    const recorded = step.page_context.url;
    const url = this.page.url();
    const facts = withPasswordField ? await this.g(this.page.evaluate(pageFacts)).catch(() => null) : null;
    const hadPassword = recordingHadPassword(this.msg.workflow.steps, recorded);
    if (!looksSignedOut({ url, passwordVisible: !!facts?.passwordVisible }, recorded, hadPassword)) return;
    const what = isSignInUrl(url) && !isSignInUrl(recorded) ? `a sign-in page (${url})` : `a password field the recording did not have (${url})`;
    throw new CheckEnd('session_expired', `${what} where the step's page (${recorded}) was expected: the session has expired`, facts?.pageStateHash ?? null);
  }

  // ---- finding the element ----

  private async locate(step: CheckStep): Promise<Located> {
    const first = await this.locateOnce(step);
    if (first.summary.reason !== 'hidden') return first;
    const opener = await this.g(first.handle.evaluateHandle((r) => r.opener)).then((h) => h.asElement() as ElementHandle | null);
    if (!opener) return { ...first, note: 'the element is hidden and nothing on the page declares what opens it' };
    // The menu, tab or disclosure that holds it: opening it changes no data. Then once more.
    await this.g(opener.click({ timeout: 5000 })).catch(() => {});
    await this.g(this.net.quiet(1000));
    const second = await this.locateOnce(step);
    void first.handle.dispose().catch(() => {});
    if (second.summary.reason === 'hidden') return { ...second, note: `the element is hidden; opening “${first.summary.hidden?.opener ?? 'its container'}” did not show it` };
    return second;
  }

  private async locateOnce(step: CheckStep): Promise<Located> {
    const { frame, ownFrame } = await this.frameFor(step);
    const strip = <S extends CheckStep['selectors']>(s: S): S => (ownFrame ? { ...s, frame_path: null, frame_urls: null, frame_index: null } : s);
    const hash = await this.g(frame.evaluate(pageFacts)).then((f) => f.pageStateHash ?? '').catch(() => '');
    const plan = planVariants(step, hash);
    const prev = this.previous && this.previous.document === this.documents && this.previous.frame === frame ? this.previous : null;
    const args: LocateArgs = {
      target: { selectors: strip(step.selectors), element_meta: step.element_meta },
      variants: plan.variants.map((v) => ({ ...v, selectors: strip(v.selectors) })),
      rejected: plan.rejected,
      timeoutMs: Math.min(LOCATE_TIMEOUT_MS, Math.max(500, this.remaining())),
      quietMs: LOCATE_QUIET_MS,
      neighbour: prev ? { element: prev.element as unknown as Element, target: prev.target } : null,
    };
    // Playwright hands the neighbour's ElementHandle to the page as the element itself.
    const inPage = pageLocate as unknown as (a: unknown) => Promise<LocateView>;
    let handle: JSHandle<LocateView>;
    try {
      handle = await this.g(frame.evaluateHandle(inPage, args as unknown));
    } catch (e) {
      if (this.signal.aborted || !prev) throw e;
      // The previous element's document is gone (a navigation we did not see): without it.
      handle = await this.g(frame.evaluateHandle(inPage, { ...args, neighbour: null } as unknown));
    }
    const summary = await this.g(handle.evaluate((r) => r.summary));
    if (!summary.ready) throw new CheckEnd('error', `guide-core is not in the page (${summary.pageUrl}): its IIFE did not run`);
    return { frame, summary, handle, note: null };
  }

  /**
   * The frame to look in: the top one (guide-core follows same-origin frame paths itself), or the
   * cross-origin frame at the recorded address, where the element is looked for on its own.
   */
  private async frameFor(step: CheckStep): Promise<{ frame: Frame; ownFrame: boolean }> {
    const main = this.page.mainFrame();
    const urls = step.selectors.frame_urls ?? [];
    const want = urls[urls.length - 1];
    if (!step.selectors.frame_path?.length || !want) return { frame: main, ownFrame: false };
    let wantOrigin = '';
    try {
      wantOrigin = new URL(want).origin;
    } catch {
      return { frame: main, ownFrame: false };
    }
    if (wantOrigin === new URL(main.url()).origin) return { frame: main, ownFrame: false };
    const until = Date.now() + Math.min(CROSS_FRAME_WAIT_MS, this.remaining());
    for (;;) {
      const frames = this.page.frames().filter((f) => f !== main);
      const frame = frames.find((f) => pageKey(f.url()) === pageKey(want)) ?? frames.find((f) => pageKey(f.url()).startsWith(wantOrigin));
      if (frame) return { frame, ownFrame: true };
      if (Date.now() >= until) return { frame: main, ownFrame: false };
      await this.g(new Promise((r) => setTimeout(r, 100)));
    }
  }

  /** What was found comes to: found by a selector, or the heal's verdict (the server asked). */
  private async judge(step: CheckStep, located: Located): Promise<Verdict> {
    const { summary, handle } = located;
    const element = async (index: number) => (await this.g(handle.evaluateHandle((r, k) => (k < 0 ? r.found : r.candidates[k] ?? null), index))).asElement();
    if (summary.method === 'selector') return { outcome: 'found', method: 'selector', element: await element(-1), selector: summary.selector, score: summary.score, message: null };
    await this.assertSignedIn(step, true);
    // A page left unchanged by a step not performed is not the recorded page state: the server is
    // asked about a clear winner only, never about guesses there.
    const unreachable = this.reach.unreachable(this.page.url(), step);
    const asks = summary.method === 'healed' || (!unreachable && summary.reason === 'ambiguous' && summary.candidates.length > 0);
    let decision: HealDecision | null = null;
    if (asks) {
      decision = await this.g(
        this.deps.heal({ step_id: step.id, candidates: summary.candidates, page_state_hash: summary.pageStateHash, page_url: summary.pageUrl, screenshot: await this.g(screenshot(this.page)) }),
      );
    }
    const v = healVerdict({ winner: summary.method === 'healed', ask: summary.ask, candidates: summary.facts }, decision);
    const best = summary.candidates[0];
    const why = located.note ?? `no element matched (${summary.reason ?? 'not_found'}${best ? `; best candidate scored ${Math.round(best.deterministic_score)}` : ''}${summary.disputed ? `; ${summary.disputed} selector hit(s) disagreed with the recorded element` : ''})`;
    // After a step that would have changed this page was left out, the page is not the recorded
    // one: what is missing may only appear after that step, and a mere candidate is a guess.
    if (v.outcome !== 'healed' && unreachable) {
      return { outcome: 'unreachable', method: null, element: null, selector: null, score: null, message: `not on the page without an earlier step that changes data (not performed in locate mode): ${why}` };
    }
    if (v.outcome !== 'not_found') {
      const c = summary.candidates[v.index]!;
      const method = v.outcome === 'healed' ? methodFor('healed', v.method) : null;
      const message = v.outcome === 'uncertain' ? (decision?.ask_user ? 'the server would ask a colleague about this candidate' : 'only a candidate a colleague would be asked about') : null;
      return { outcome: v.outcome, method, element: await element(v.index), selector: c.selector, score: c.deterministic_score, message };
    }
    return { outcome: 'not_found', method: null, element: null, selector: null, score: best ? best.deterministic_score : null, message: why };
  }

  // ---- performing the step ----

  /** Performs the step when the mode allows it; remembers what a step not performed leaves out. */
  private async act(step: CheckStep, i: number, v: Verdict): Promise<void> {
    const next = this.msg.workflow.steps[i + 1];
    const usable = v.element && (v.outcome === 'found' || v.outcome === 'healed');
    if (this.msg.mode === 'replay') {
      if (!usable) return;
      const value = replayValue(step, this.msg.values);
      if (value && 'error' in value) throw new StepFailed(value.error);
      await this.perform(step, v.element!, value?.value ?? null);
      return;
    }
    if (!usable) {
      // Not found, so not performed: a later step may need what it would have done.
      if (!recordedNonMutating(step)) this.reach.skipped(this.page.url(), step, next);
      return;
    }
    const facts = step.action_type === 'click' ? await this.g(v.element!.evaluate(clickFacts)).catch(() => null) : null;
    const decision = isNonMutating(step, facts);
    if (!decision.perform) {
      this.reach.skipped(this.page.url(), step, next);
      return;
    }
    await this.perform(step, v.element!, null);
  }

  private async perform(step: CheckStep, el: ElementHandle, value: string | null): Promise<void> {
    const before = withoutHash(this.page.url());
    this.popup = null;
    if (step.action_type === 'click') await this.g(click(el));
    else if (step.action_type === 'submit') await this.g(submit(el, step.action_data?.submit_key));
    else if (step.action_type === 'input_commit' || step.action_type === 'select_change') await this.g(enterValue(el, step.action_type, value ?? ''));
    await this.g(settle(this.page, this.net));
    const opened = this.popup as Page | null;
    if (opened && !opened.isClosed()) {
      // The step opened its page in a new window: the walk goes on there.
      this.page = opened;
      this.net = new NetworkWatch(opened);
      opened.on('popup', (p) => (this.popup = p));
      await this.g(settle(opened, this.net));
      this.previous = null;
      this.led = true;
      return;
    }
    this.led = withoutHash(this.page.url()) !== before;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** A step not found: whether what it recorded was a link, a tab or a disclosure (nothing it would change). */
function recordedNonMutating(step: CheckStep): boolean {
  if (step.action_type === 'navigate') return true;
  if (step.action_type !== 'click') return false;
  const m = step.element_meta;
  return !!m.href || m.role === 'tab' || m.tag_name.toUpperCase() === 'SUMMARY';
}
