// The built checker (dist/main.js) as the server runs it: a child process spoken to in JSON lines,
// real Chromium, against the fixture app (test/fixture-app.ts) with workflows recorded in it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckStep } from '../src/protocol.js';
import { startFixtureApp, type FixtureApp } from './fixture-app.js';
import { checkMessage, recordWorkflow, runCheck, startChecker, stopChecker, type Checker } from './harness.js';

let app: FixtureApp;
let checker: Checker;
/** The 10-step workflow: links, a tab list, a form and a menu (clicks, typing, choosing). */
let tour: CheckStep[];
/** Type, choose, save, then a link on the page that saving shows. */
let form: CheckStep[];
/** The button of the page that answers slowly. */
let slow: CheckStep;
let ids = 0;
const nextId = (what: string) => `${what}-${++ids}`;

beforeAll(async () => {
  app = await startFixtureApp();
  tour = await recordWorkflow(app, [
    { path: '/settings', action: 'click', css: '#nav-members', perform: true },
    { path: '/members', action: 'click', css: '#invite' },
    { path: '/members', action: 'input_commit', css: '#member-search', value: 'ada', valueKind: 'free' },
    { path: '/members', action: 'click', css: '#nav-settings', perform: true },
    { path: '/settings', action: 'click', css: '#tab-notifications', perform: true },
    { path: '/settings', action: 'click', css: '#weekly' },
    { path: '/settings', action: 'click', css: '#tab-general', perform: true },
    { path: '/settings', action: 'input_commit', css: '#team-name', value: 'Platform team', valueKind: 'free' },
    { path: '/settings', action: 'select_change', css: '#team-tz', value: 'Europe/Berlin' },
    // In the "More actions" menu, closed when the page loads: the checker opens it.
    { path: '/settings', action: 'click', css: '#archive', before: '#more' },
  ]);
  form = await recordWorkflow(app, [
    { path: '/settings', action: 'input_commit', css: '#team-name', value: 'Platform team', valueKind: 'free', perform: true },
    { path: '/settings', action: 'select_change', css: '#team-tz', value: 'Europe/Berlin', valueKind: 'fixed', perform: true },
    { path: '/settings', action: 'submit', css: '#save', perform: true },
    { path: '/settings?saved=1', action: 'click', css: '.banner a', perform: true },
  ]);
  [slow] = (await recordWorkflow(app, [{ path: '/slow?ms=10', action: 'click', css: '#go' }])) as [CheckStep];
  checker = startChecker({ CHECKER_MAX_HEAP_MB: '128' });
  await checker.waitFor((l) => l.type === 'ready');
}, 120_000);

afterAll(async () => {
  if (checker) await stopChecker(checker);
  await app?.close();
});

const mutations = () => ({
  posts: app.posts().map((h) => `${h.method} ${h.path}`),
  typed: app.events().filter((e) => e.get('type') === 'input' || e.get('type') === 'change').map((e) => e.get('name')),
});

test('ready: version, Chromium and how many pages at once', () => {
  const ready = checker.lines.find((l) => l.type === 'ready')!;
  expect(ready.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(ready.chromium).toMatch(/^\d+\./);
  expect(ready.max_pages).toBe(2);
  expect(checker.lines.indexOf(ready)).toBe(0);
});

describe('locate mode', () => {
  test('a 10-step workflow on the unchanged app: every step found, passed, nothing changed', async () => {
    app.reset();
    const id = nextId('tour');
    const t0 = Date.now();
    const r = await runCheck(checker, checkMessage(app, id, tour));
    const wall = Date.now() - t0;
    console.log(`10-step locate check: ${r.done.duration_ms} ms (done.duration_ms), ${wall} ms wall`);
    expect(r.done.status).toBe('passed');
    expect(r.steps.map((s) => s.outcome)).toEqual(Array(10).fill('found'));
    expect(r.steps.map((s) => s.index)).toEqual([...Array(10).keys()]);
    expect(r.steps.map((s) => s.step_id)).toEqual(tour.map((s) => s.id));
    for (const s of r.steps) {
      expect(s.method).toBe('selector');
      expect(s.score).toBeGreaterThanOrEqual(60);
      expect(typeof s.selector).toBe('string');
      expect(Buffer.from(s.screenshot, 'base64').subarray(0, 3).toString('hex')).toBe('ffd8ff'); // JPEG
      expect(s.box.width).toBeGreaterThan(0);
      expect(s.box.y + s.box.height).toBeLessThanOrEqual(800);
      expect(s.viewport).toEqual({ width: 1280, height: 800 });
      expect(s.page_state_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(s.message).toBeNull();
    }
    // Links and tabs were followed: the members step ran on /members, the form's on /settings.
    expect(new URL(r.steps[1]!.page_url).pathname).toBe('/members');
    expect(new URL(r.steps[7]!.page_url).pathname).toBe('/settings');
    // The checkbox was looked for in the Notifications tab, which the checker opened.
    expect(r.steps[5]!.selector).toBe('#weekly');
    // Nothing typed, chosen, submitted, archived or invited.
    expect(mutations()).toEqual({ posts: [], typed: [] });
    expect(app.hits.filter((h) => h.path === '/members').length).toBe(1);
  });

  test('a changed app: the server is asked with ranked candidates, and its decision heals the steps', async () => {
    app.reset();
    app.variant = 'changed';
    const id = nextId('changed');
    const from = checker.lines.length;
    checker.send(checkMessage(app, id, tour.slice(0, 3)));
    const heal1 = await checker.waitFor((l) => l.type === 'heal' && l.id === id && l.seq === 1, 30_000, from);
    expect(heal1.step_id).toBe(tour[0]!.id);
    expect(heal1.candidates.length).toBeGreaterThan(0);
    expect(heal1.candidates.length).toBeLessThanOrEqual(10);
    for (const c of heal1.candidates) {
      expect(Object.keys(c).sort()).toEqual(['deterministic_score', 'element_meta', 'selector', 'selectors']);
      expect(c.deterministic_score).toBeGreaterThanOrEqual(0);
      expect(c.deterministic_score).toBeLessThanOrEqual(100);
    }
    expect(heal1.candidates[0].element_meta.inner_text).toBe('Team members');
    const scores = heal1.candidates.map((c: { deterministic_score: number }) => c.deterministic_score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(heal1.page_state_hash).toMatch(/^sha256:/);
    expect(new URL(heal1.page_url).pathname).toBe('/settings');
    expect(Buffer.from(heal1.screenshot, 'base64').subarray(0, 3).toString('hex')).toBe('ffd8ff');
    checker.send({ type: 'heal_result', id, seq: 1, decision: { found: true, selector: heal1.candidates[0].selector, confidence: 0.92, method: 'deterministic', should_update: true, candidate_index: 0, ask_user: false, scope: 'shared' } });

    // "Invite member" became "Invite a member": no clear winner, the server's AI picks it.
    const heal2 = await checker.waitFor((l) => l.type === 'heal' && l.id === id && l.seq === 2, 30_000, from);
    expect(heal2.step_id).toBe(tour[1]!.id);
    const invite = heal2.candidates.findIndex((c: { element_meta: { inner_text: string } }) => c.element_meta.inner_text === 'Invite a member');
    expect(invite).toBeGreaterThanOrEqual(0);
    checker.send({ type: 'heal_result', id, seq: 2, decision: { found: true, selector: heal2.candidates[invite].selector, confidence: 0.88, method: 'ai_assisted', should_update: true, candidate_index: invite, ask_user: false } });

    const done = await checker.waitFor((l) => l.type === 'done' && l.id === id, 45_000, from);
    const steps = checker.lines.slice(from).filter((l) => l.type === 'step' && l.id === id);
    expect(steps.map((s) => [s.outcome, s.method])).toEqual([
      ['healed', 'deterministic'],
      ['healed', 'ai_assisted'],
      ['found', 'selector'],
    ]);
    expect(steps[0]!.selector).toBe(heal1.candidates[0].selector);
    expect(steps[1]!.box).not.toBeNull();
    expect(done.status).toBe('passed');
    // The healed link was followed (a link changes nothing); the healed button was not pressed.
    expect(new URL(steps[1]!.page_url).pathname).toBe('/members');
    expect(mutations().posts).toEqual([]);
  });

  test('a removed element: not found (the server found nothing either), at risk', async () => {
    app.reset();
    app.variant = 'removed';
    const id = nextId('removed');
    const from = checker.lines.length;
    checker.send(checkMessage(app, id, tour.slice(0, 2)));
    const heal = await checker.waitFor((l) => l.type === 'heal' && l.id === id, 30_000, from);
    expect(heal.candidates.every((c: { element_meta: { inner_text: string | null } }) => c.element_meta.inner_text !== 'Invite member')).toBe(true);
    checker.send({ type: 'heal_result', id, seq: heal.seq, decision: { found: false, selector: null, confidence: 0.2, method: 'deterministic', should_update: false, candidate_index: null, ask_user: false } });
    const done = await checker.waitFor((l) => l.type === 'done' && l.id === id, 30_000, from);
    const steps = checker.linesOf(id).filter((l) => l.type === 'step');
    expect(steps.map((s) => s.outcome)).toEqual(['found', 'not_found']);
    expect(steps[1]).toMatchObject({ method: null, box: null, selector: null });
    expect(steps[1]!.message).toMatch(/no element matched/);
    expect(steps[1]!.screenshot).toBeTruthy();
    expect(done.status).toBe('at_risk');
  });

  test('typing, choosing and submitting are never performed; the page only saving leads to is unreachable', async () => {
    app.reset();
    const r = await runCheck(checker, checkMessage(app, nextId('form-locate'), form));
    expect(r.steps.map((s) => s.outcome)).toEqual(['found', 'found', 'found', 'unreachable']);
    expect(r.steps[3]!.message).toMatch(/not performed in locate mode/);
    expect(r.heals).toEqual([]);
    expect(mutations()).toEqual({ posts: [], typed: [] });
  });
});

test('an element in a cross-origin frame: looked for in that frame, its box in the page', async () => {
  app.reset();
  const steps = await recordWorkflow(app, [{ path: '/embed', action: 'click', css: '#pay', frame: '/widget' }]);
  expect(steps[0]!.selectors.frame_urls![0]).toMatch(/^http:\/\/localhost:\d+\/widget$/);
  const r = await runCheck(checker, checkMessage(app, nextId('frame'), steps));
  expect(r.steps.map((s) => [s.outcome, s.selector])).toEqual([['found', '#pay']]);
  expect(new URL(r.steps[0]!.page_url).pathname).toBe('/embed');
  // Inside the iframe (below the page's heading), not at the frame document's own origin.
  expect(r.steps[0]!.box.y).toBeGreaterThan(100);
  expect(app.hits.some((h) => h.path === '/widget')).toBe(true);
});

describe('replay mode', () => {
  test("performs every step with the check's values: the server gets the POST", async () => {
    app.reset();
    const r = await runCheck(checker, checkMessage(app, nextId('replay'), form, { mode: 'replay', values: { [String(form[0]!.id)]: 'Release crew' } }));
    expect(r.steps.map((s) => s.outcome)).toEqual(['found', 'found', 'found', 'found']);
    expect(r.done.status).toBe('passed');
    const posts = app.posts();
    expect(posts.map((p) => p.path)).toEqual(['/settings']);
    const body = new URLSearchParams(posts[0]!.body);
    expect(body.get('team_name')).toBe('Release crew');
    expect(body.get('tz')).toBe('Europe/Berlin');
    expect(new URL(r.steps[3]!.page_url).pathname).toBe('/settings');
    expect(app.hits.some((h) => h.path === '/settings/log')).toBe(true);
  });

  test('a free step without a value is an error step; the recorded value is not typed for it', async () => {
    app.reset();
    const r = await runCheck(checker, checkMessage(app, nextId('replay-novalue'), form.slice(0, 2), { mode: 'replay' }));
    expect(r.steps.map((s) => s.outcome)).toEqual(['error', 'found']);
    expect(r.steps[0]!.message).toMatch(/needs a value/);
    expect(r.done.status).toBe('at_risk');
    expect(mutations().typed).not.toContain('team_name');
    expect(mutations().typed).toContain('tz');
  });
});

describe('sessions', () => {
  test('the cookies and local storage of the session sign the check in', async () => {
    app.reset();
    const msg = checkMessage(app, nextId('session'), tour.slice(0, 1));
    (msg.session as { local_storage: unknown[] }).local_storage = [{ name: 'team-theme', value: 'dark' }];
    const r = await runCheck(checker, msg);
    expect(r.done.status).toBe('passed');
    const storage = app.events().filter((e) => e.get('type') === 'storage');
    expect(storage[0]!.get('value')).toBe('dark');
  });

  test('without the session: a sign-in page where the step was expected is session_expired', async () => {
    app.reset();
    const r = await runCheck(checker, checkMessage(app, nextId('nosession'), tour.slice(0, 2), { session: null }));
    expect(r.done.status).toBe('session_expired');
    expect(r.done.message).toMatch(/sign-in page .*\/login/);
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ outcome: 'error', index: 0 });
    expect(r.heals).toEqual([]);
  });

  test('a sign-in form at the same address (a password field the recording did not have) is session_expired', async () => {
    app.reset();
    app.signInInPlace = true;
    const r = await runCheck(checker, checkMessage(app, nextId('inplace'), tour.slice(0, 1), { session: null }));
    expect(r.done.status).toBe('session_expired');
    expect(r.done.message).toMatch(/password field/);
    expect(r.heals).toEqual([]);
  });
});

/** A forward HTTP proxy that records what it is asked for and refuses /billing as the server's egress proxy does. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    seen.push(target);
    if (target.includes('/billing')) {
      const body = 'Refused by the Stepwise egress policy: 127.0.0.1 is not one of the workflow\'s recorded origins\n';
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const up = http.request(target, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

describe('the proxy', () => {
  test('every request of the check goes through it, loopback included; its refusal ends the check with an error', async () => {
    app.reset();
    const proxy = await startProxy();
    try {
      const ok = await runCheck(checker, checkMessage(app, nextId('proxy'), tour.slice(0, 1), { proxy: proxy.url }));
      expect(ok.done.status).toBe('passed');
      expect(proxy.seen).toContain(`${app.origin}/settings`);
      expect(proxy.seen.some((u) => u.startsWith(`${app.origin}/event?`))).toBe(true);

      const billing: CheckStep = { ...tour[0]!, id: 4242, action_type: 'navigate', page_context: { url: `${app.origin}/billing` } };
      const refused = await runCheck(checker, checkMessage(app, nextId('refused'), [billing], { proxy: proxy.url }));
      expect(refused.done.status).toBe('error');
      expect(refused.done.message).toMatch(/refused by the proxy/);
      expect(app.hits.some((h) => h.path === '/billing')).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

const slowStep = (ms: number, id = 5000): CheckStep => ({ ...slow, id, page_context: { url: `${app.origin}/slow?ms=${ms}` } });

describe('ending checks', () => {
  test('a check past its timeout_ms ends with done error, once', async () => {
    app.reset();
    const id = nextId('timeout');
    const t0 = Date.now();
    const r = await runCheck(checker, checkMessage(app, id, [slowStep(8000)], { timeout_ms: 1500 }));
    expect(r.done.status).toBe('error');
    expect(r.done.message).toMatch(/timed out after 1500 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await new Promise((res) => setTimeout(res, 300));
    expect(checker.lines.filter((l) => l.type === 'done' && l.id === id)).toHaveLength(1);
  });

  test('cancel stops a running check (done error) and a queued one', async () => {
    app.reset();
    const from = checker.lines.length;
    const [a, b, q] = [nextId('cancel'), nextId('cancel'), nextId('cancel')];
    for (const id of [a, b, q]) checker.send(checkMessage(app, id, [slowStep(6000)]));
    await new Promise((r) => setTimeout(r, 500));
    checker.send({ type: 'cancel', id: q });
    checker.send({ type: 'cancel', id: a });
    checker.send({ type: 'cancel', id: b });
    const dq = await checker.waitFor((l) => l.type === 'done' && l.id === q, 5000, from);
    const da = await checker.waitFor((l) => l.type === 'done' && l.id === a, 5000, from);
    await checker.waitFor((l) => l.type === 'done' && l.id === b, 5000, from);
    expect(dq).toMatchObject({ status: 'error', message: 'cancelled before it started' });
    expect(da).toMatchObject({ status: 'error', message: 'cancelled' });
  });

  test('a page over the JS heap cap is closed and its check ends with error', async () => {
    app.reset();
    const hog: CheckStep = { ...tour[0]!, id: 5100, page_context: { url: `${app.origin}/hog` } };
    const r = await runCheck(checker, checkMessage(app, nextId('heap'), [hog, hog]), 30_000);
    expect(r.done.status).toBe('error');
    expect(r.done.message).toMatch(/JS heap .*cap 128 MB/);
  });
});

test('bad input lines: a log error each, never a crash; the next check runs', async () => {
  app.reset();
  const from = checker.lines.length;
  checker.sendRaw('this is not json\n');
  checker.sendRaw('{"type":"check","id":"bad-1","workflow":{"steps":[{"id":"x"}]}}\n');
  checker.sendRaw('{"type":"from_the_future","id":"z"}\n\n');
  const log = await checker.waitFor((l) => l.type === 'log' && l.level === 'error' && /not JSON/.test(l.message), 5000, from);
  expect(log.message).toMatch(/bad input line/);
  const bad = await checker.waitFor((l) => l.type === 'done' && l.id === 'bad-1', 5000, from);
  expect(bad.status).toBe('error');
  const r = await runCheck(checker, checkMessage(app, nextId('after-bad'), tour.slice(0, 1)));
  expect(r.done.status).toBe('passed');
  expect(checker.lines.slice(from).filter((l) => l.id === 'z')).toEqual([]);
  expect(checker.proc.exitCode).toBeNull();
});

test('two checks at once (CHECKS_CONCURRENCY 2)', async () => {
  app.reset();
  const [a, b] = [nextId('pair'), nextId('pair')];
  const from = checker.lines.length;
  const t0 = Date.now();
  checker.send(checkMessage(app, a, [slowStep(2000)]));
  checker.send(checkMessage(app, b, [slowStep(2000, 5001)]));
  const done = await Promise.all([a, b].map((id) => checker.waitFor((l) => l.type === 'done' && l.id === id, 30_000, from)));
  expect(done.map((d) => d.status)).toEqual(['passed', 'passed']);
  expect(app.slowPeak).toBe(2);
  expect(Date.now() - t0).toBeLessThan(6000);
});

/** Whether a process still runs (a zombie waiting for its parent does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every process below `pid` (Chromium and its helpers under the checker). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

test('Chromium killed mid-check: that check ends with error, and Chromium is launched again for the next', async () => {
  app.reset();
  const id = nextId('killed');
  const from = checker.lines.length;
  checker.send(checkMessage(app, id, [slowStep(5000)]));
  await new Promise((r) => setTimeout(r, 1000));
  const procs = descendants(checker.proc.pid!);
  expect(procs.length).toBeGreaterThan(0);
  for (const p of procs) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const done = await checker.waitFor((l) => l.type === 'done' && l.id === id, 15_000, from);
  expect(done.status).toBe('error');
  expect(done.message).toMatch(/Chromium|closed|crash/i);
  const r = await runCheck(checker, checkMessage(app, nextId('relaunched'), tour.slice(0, 1)));
  expect(r.done.status).toBe('passed');
});

test('stdin closed mid-check: done error, Chromium closed, exit 0', async () => {
  const c = startChecker();
  try {
    await c.waitFor((l) => l.type === 'ready', 30_000);
    c.send(checkMessage(app, 'eof-1', [slowStep(5000)]));
    await new Promise((r) => setTimeout(r, 800));
    const chromium = descendants(c.proc.pid!);
    expect(chromium.length).toBeGreaterThan(0);
    c.proc.stdin.end();
    const exit = await c.exited;
    expect(exit.code).toBe(0);
    expect(c.lines.find((l) => l.type === 'done' && l.id === 'eof-1')).toMatchObject({ status: 'error' });
    await new Promise((r) => setTimeout(r, 500));
    expect(chromium.filter(alive)).toEqual([]);
  } finally {
    await stopChecker(c);
  }
});

test('SIGTERM: exits 0 with Chromium closed', async () => {
  const c = startChecker();
  try {
    await c.waitFor((l) => l.type === 'ready', 30_000);
    const chromium = descendants(c.proc.pid!);
    expect(chromium.length).toBeGreaterThan(0);
    c.proc.kill('SIGTERM');
    expect((await c.exited).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(chromium.filter(alive)).toEqual([]);
  } finally {
    await stopChecker(c);
  }
});

test('--once FILE: one check, heal requests answered with null, the lines printed', async () => {
  app.reset();
  app.variant = 'changed';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'checker-once-'));
  try {
    const file = path.join(dir, 'check.json');
    writeFileSync(file, JSON.stringify(checkMessage(app, 'once-1', tour.slice(0, 2))));
    const c = startChecker({}, ['--once', file]);
    const exit = await c.exited;
    expect(exit.code).toBe(0);
    const lines = c.lines;
    expect(lines[0]!.type).toBe('ready');
    expect(lines.filter((l) => l.type === 'heal').map((l) => l.seq)).toEqual([1, 2]);
    const steps = lines.filter((l) => l.type === 'step');
    // No decision: locate's clear winner is healed deterministically; a mere candidate is uncertain.
    expect(steps.map((s) => [s.outcome, s.method])).toEqual([
      ['healed', 'deterministic'],
      ['uncertain', null],
    ]);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'done', id: 'once-1', status: 'at_risk' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
