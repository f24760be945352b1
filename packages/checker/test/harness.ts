// Test scaffolding: the built checker as a child process spoken to in JSON lines, and workflows
// recorded in a real page with guide-core's describeElement (real selectors and element_meta).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { guideCoreSource } from '../src/browser.js';
import type {} from '../src/in-page.js';
import type { CheckStep } from '../src/protocol.js';
import { SESSION_COOKIE, type FixtureApp } from './fixture-app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MAIN = path.resolve(here, '../dist/main.js');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Line = Record<string, any> & { type: string };

export interface Checker {
  proc: ChildProcessWithoutNullStreams;
  lines: Line[];
  stderr: string[];
  send(msg: object): void;
  sendRaw(text: string): void;
  /** The first line (from `from` on) that matches, waiting for it. */
  waitFor(pred: (l: Line) => boolean, timeoutMs?: number, from?: number): Promise<Line>;
  /** Every line of one check up to and including its `done`. */
  linesOf(id: string): Line[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChecker(env: Record<string, string> = {}, args: string[] = []): Checker {
  const proc = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  proc.stdout.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(JSON.parse(text) as Line);
    }
    for (const w of waiters) w();
  });
  proc.stderr.on('data', (c: Buffer) => stderr.push(c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    lines,
    stderr,
    exited,
    send: (msg) => proc.stdin.write(`${JSON.stringify(msg)}\n`),
    sendRaw: (text) => proc.stdin.write(text),
    linesOf: (id) => lines.filter((l) => l.id === id && l.type !== 'log'),
    waitFor(pred, timeoutMs = 45_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.slice(from).find(pred);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching line in ${timeoutMs} ms; lines: ${JSON.stringify(lines.map((l) => ({ ...l, screenshot: l.screenshot ? '…' : l.screenshot })))}\nstderr: ${stderr.join('')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

export async function stopChecker(c: Checker): Promise<void> {
  if (c.proc.exitCode !== null) return;
  c.proc.stdin.end();
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
  await c.exited;
  clearTimeout(t);
}

/** What the test does at a step while recording it (as a person would). */
export interface StepSpec {
  /** The page the step is on (the recorder navigates there when it is elsewhere). */
  path: string;
  action: CheckStep['action_type'];
  /** CSS selector of the element in the base app (the test's own handle on it, never stored). */
  css?: string;
  value?: string;
  valueKind?: 'personal' | 'free' | 'fixed';
  /** Do the step in the recording browser too, as the person recording did. */
  perform?: boolean;
  /** Clicked in the recording browser before the step is described (opens the menu that holds it). */
  before?: string;
  /** The element is in the frame at this path of its page (described there; the path added as the extension's recorder adds it). */
  frame?: string;
}

let nextStepId = 1000;

/** Records a workflow in the base app: each element described by guide-core in the page. */
export async function recordWorkflow(app: FixtureApp, specs: StepSpec[]): Promise<CheckStep[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ ...SESSION_COOKIE, domain: '127.0.0.1', path: '/' }]);
    await context.addInitScript({ content: guideCoreSource().code });
    const page = await context.newPage();
    const steps: CheckStep[] = [];
    for (const spec of specs) {
      const want = app.url + spec.path;
      if (page.url() !== want) await page.goto(want, { waitUntil: 'load' });
      if (spec.before) await page.locator(spec.before).click();
      steps.push(await describeStep(page, spec, steps.length + 1));
      if (spec.perform) await performForRecording(page, spec);
    }
    return steps;
  } finally {
    await browser.close();
  }
}

async function describeStep(page: Page, spec: StepSpec, n: number): Promise<CheckStep> {
  const frame = spec.frame ? page.frames().find((f) => new URL(f.url()).pathname === spec.frame) : page.mainFrame();
  if (!frame) throw new Error(`recording: no frame at ${spec.frame}`);
  const described = await frame.evaluate((css) => {
    const gc = window.StepwiseGuideCore;
    const el = css ? document.querySelector(css) : null;
    if (css && !el) throw new Error(`recording: nothing matches ${css}`);
    return {
      target: el ? gc.describeElement(el) : null,
      url: location.href,
      title: document.title,
      hash: gc.pageStateHash(document),
    };
  }, spec.css ?? null);
  const target = described.target ?? {
    selectors: { primary: null, css: null, xpath: null, data_testid: null, stable_attrs: null },
    element_meta: { tag_name: 'HTML', role: null, type: null, name: null, placeholder: null, inner_text: null, label_text: null, nearby_text: null, classes: [], bounding_box: null, parent_tag: null, parent_classes: null },
  };
  if (spec.frame && described.target) {
    // Seen from inside, a cross-origin frame does not know where it sits: the top frame adds it.
    const u = new URL(described.url);
    Object.assign(described.target.selectors, { frame_path: ['iframe'], frame_urls: [`${u.origin}${u.pathname}`] });
    described.url = page.url();
  }
  const takesValue = spec.action === 'input_commit' || spec.action === 'select_change';
  return {
    id: nextStepId++,
    step_number: n,
    action_type: spec.action,
    selectors: target.selectors as CheckStep['selectors'],
    element_meta: target.element_meta as CheckStep['element_meta'],
    page_context: { url: spec.action === 'navigate' ? `${new URL(described.url).origin}${spec.path}` : described.url, title: described.title, page_state_hash: described.hash },
    action_data: takesValue ? { input_value: spec.value ?? null, value_kind: spec.valueKind ?? 'fixed' } : spec.action === 'submit' ? { submit_key: 'button_click' } : null,
    selector_variants: [],
    field_label: null,
  };
}

async function performForRecording(page: Page, spec: StepSpec): Promise<void> {
  if (spec.action === 'navigate') {
    await page.goto(page.url().replace(/^(https?:\/\/[^/]+).*$/, '$1') + spec.path, { waitUntil: 'load' });
    return;
  }
  const el = page.locator(spec.css!);
  if (spec.action === 'click' || spec.action === 'submit') await el.click();
  else if (spec.action === 'input_commit') await el.fill(spec.value ?? '');
  else if (spec.action === 'select_change') await el.selectOption({ label: spec.value ?? '' });
  await page.waitForLoadState('load');
}

/** A check message for the fixture app, signed in by default. */
export function checkMessage(app: FixtureApp, id: string, steps: CheckStep[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'check',
    id,
    mode: 'locate',
    timeout_ms: 60_000,
    proxy: null,
    viewport: { width: 1280, height: 800 },
    session: { origin: app.origin, cookies: [{ ...SESSION_COOKIE, domain: '127.0.0.1', path: '/', expires: null, http_only: true, secure: false, same_site: 'Lax' }], local_storage: [] },
    values: {},
    workflow: { id: 7, name: 'Team settings', starting_url: `${app.url}/settings`, steps },
    ...extra,
  };
}

/** Runs one check to its `done`; returns its lines. */
export async function runCheck(c: Checker, msg: Record<string, unknown>, timeoutMs = 60_000): Promise<{ steps: Line[]; heals: Line[]; done: Line; all: Line[] }> {
  const from = c.lines.length;
  c.send(msg);
  const done = await c.waitFor((l) => l.type === 'done' && l.id === msg.id, timeoutMs, from);
  const all = c.lines.slice(from).filter((l) => l.id === msg.id);
  return { steps: all.filter((l) => l.type === 'step'), heals: all.filter((l) => l.type === 'heal'), done, all };
}
