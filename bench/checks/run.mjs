#!/usr/bin/env node
// Scheduled checks (issue 16), on the real server with the real checker (packages/checker) and
// Debian's Chromium, against a fixture app of this benchmark's own:
//  1. a 10-step locate check: the run's duration_ms as the server records it (queue → checker →
//     filmstrip stored), cold (the checker and Chromium start) and warm (target ≤ 5 s);
//  2. many checks in a row (BENCH_CHECKS, CHECKS_CONCURRENCY pages at once): wall time, CPU seconds
//     of the whole process tree (server, node, Chromium and the children they reaped) and its peak
//     resident memory, then the arithmetic for 100 workflows checked every 15 minutes.
// Prints `scenario=<name> key=value…` lines like the other benchmarks.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHECKS = Number(process.env.BENCH_CHECKS ?? 20);
const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 10);
const CONCURRENCY = Number(process.env.CHECKS_CONCURRENCY ?? 2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const line = (name, values) => console.log(`scenario=${name} ${Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`).join(' ')}`);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// ---- the fixture app: two pages, a nav, tabs, a filter form, a table -------------------------
const PAGE = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:14px system-ui;margin:0}nav{display:flex;gap:12px;padding:12px;background:#234;}nav a{color:#fff}
main{padding:16px}[role=tablist] button[aria-selected=true]{font-weight:bold}table{border-collapse:collapse}td{padding:4px 8px}</style>
</head><body><nav aria-label="Main"><a href="/projects">Projects</a><a href="/reports">Reports</a><a href="/people">People</a></nav><main>${body}</main>
<script>for (const t of document.querySelectorAll('[role=tab]')) t.addEventListener('click', () => {
  for (const o of document.querySelectorAll('[role=tab]')) o.setAttribute('aria-selected', String(o === t));
  for (const p of document.querySelectorAll('[role=tabpanel]')) p.hidden = p.id !== t.getAttribute('aria-controls');
});</script></body></html>`;
const PROJECTS = PAGE('Projects', `<h1>Projects</h1>
<label>Search projects <input id="q" name="q" type="search"></label>
<button id="new-project" type="button">New project</button>
<table><tbody>${['Atlas', 'Beacon', 'Comet', 'Delta'].map((n) => `<tr><td>${n}</td><td><a href="/projects/${n.toLowerCase()}">Open ${n}</a></td></tr>`).join('')}</tbody></table>`);
const REPORTS = PAGE('Reports', `<h1>Reports</h1>
<div role="tablist" aria-label="Period"><button role="tab" id="tab-week" aria-controls="p-week" aria-selected="true">Weekly</button><button role="tab" id="tab-month" aria-controls="p-month" aria-selected="false">Monthly</button></div>
<section role="tabpanel" id="p-week"><p>Week view</p></section>
<section role="tabpanel" id="p-month" hidden><form method="post" action="/reports/export">
<label>Region <select name="region"><option>North</option><option>South</option></select></label>
<label>Owner <input name="owner" type="text"></label>
<label>Notes <textarea name="notes"></textarea></label>
<button type="submit" id="export">Export report</button></form></section>`);

function startApp() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const html = req.url.startsWith('/reports') ? REPORTS : PROJECTS;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

// ---- a workflow recorded with guide-core's describeElement in Chromium ------------------------
const STEPS = [
  ['/projects', '#q', 'input_commit', 'Atlas'],
  ['/projects', '#new-project', 'click'],
  ['/projects', 'a[href="/projects/beacon"]', 'click'],
  ['/projects', 'nav a[href="/reports"]', 'click'],
  ['/reports', '#tab-week', 'click'],
  ['/reports', '#tab-month', 'click'],
  ['/reports', 'select[name=region]', 'select_change', 'South'],
  ['/reports', 'input[name=owner]', 'input_commit', 'Kim'],
  ['/reports', 'textarea[name=notes]', 'input_commit', 'Q3'],
  ['/reports', '#export', 'submit'],
];

async function record(appBase) {
  const iife = readFileSync(path.join(repoRoot, 'packages/guide-core/dist/guide-core.iife.js'), 'utf8');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(`${iife}\n;globalThis.StepwiseGuideCore = StepwiseGuideCore;`);
  const steps = [];
  for (const [i, [p, sel, action, value]] of STEPS.entries()) {
    if (!page.url().endsWith(p)) await page.goto(appBase + p);
    if (sel === '#tab-month' || sel.startsWith('select') || sel.startsWith('input[name') || sel.startsWith('textarea') || sel === '#export')
      await page.evaluate(() => document.querySelector('#tab-month').click());
    const target = await page.evaluate((s) => globalThis.StepwiseGuideCore.describeElement(document.querySelector(s)), sel);
    steps.push({
      step_number: i + 1,
      timestamp: new Date().toISOString(),
      action_type: action,
      selectors: target.selectors,
      element_meta: target.element_meta,
      page_context: { url: appBase + p, title: await page.title(), viewport: { width: 1280, height: 800 } },
      action_data: { input_value: value ?? null },
    });
  }
  await browser.close();
  return steps;
}

// ---- the server ---------------------------------------------------------------------------
async function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-checks-'));
  const port = await freePort();
  const env = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:///${path.join(dataDir, 'app.db')}`, BCRYPT_COST: '4', RATE_LIMIT_AUTH_PER_MIN: '0',
    RATE_LIMIT_USER_PER_MIN: '0', CHECKS_ALLOW_PRIVATE: 'true', CHECKS_CONCURRENCY: String(CONCURRENCY), ACCESS_LOG: 'false',
  };
  const child = spawn(path.join(repoRoot, 'build/stepwise'), ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  child.stdout.on('data', (d) => log.push(d));
  child.stderr.on('data', (d) => log.push(d));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; ) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(Buffer.concat(log).toString());
    await sleep(100);
  }
  return { child, base, log, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.on('exit', r)); rmSync(dataDir, { recursive: true, force: true }); } };
}

async function api(base, method, p, body, token) {
  const res = await fetch(base + p, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

// ---- the process tree's CPU and memory ----------------------------------------------------
const TICK = 100; // USER_HZ on Linux
function tree(root) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) ?? []));
  return out;
}
function usage(root) {
  let cpu = 0;
  let rss = 0;
  for (const pid of tree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK; // utime stime cutime cstime
      const m = /Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      rss += m ? Number(m[1]) * 1024 : 0;
    } catch { /* gone */ }
  }
  return { cpu, pss: rss };
}

async function waitRun(base, token, id) {
  for (const deadline = Date.now() + 180_000; ; ) {
    const run = await api(base, 'GET', `/api/check-runs/${id}`, null, token);
    if (run.state === 'finished') return run;
    if (Date.now() > deadline) throw new Error(`run ${id} not finished: ${JSON.stringify(run)}`);
    await sleep(50);
  }
}

const app = await startApp();
const steps = await record(app.base);
const srv = await startServer();
try {
  const auth = await api(srv.base, 'POST', '/api/auth/signup', { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bench', company_name: 'Bench Co' });
  const token = auth.token;
  const ids = [];
  for (let i = 0; i < WORKFLOWS; i++) {
    const { workflow_id: id } = await api(srv.base, 'POST', '/api/workflows', { metadata: { name: `Reports ${i}`, starting_url: `${app.base}/projects` }, steps }, token);
    for (;;) {
      const res = await fetch(`${srv.base}/api/workflows/${id}`, { headers: { Authorization: `Bearer ${token}` } });
      const wf = (await res.json()).data;
      if (wf.status !== 'processing') {
        const put = await fetch(`${srv.base}/api/workflows/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'If-Match': res.headers.get('etag') }, body: JSON.stringify({ status: 'active' }) });
        if (!put.ok) throw new Error(await put.text());
        break;
      }
      await sleep(50);
    }
    ids.push(id);
  }

  // 1. one check at a time: cold, then warm
  const times = [];
  for (let i = 0; i < 6; i++) {
    const run = await waitRun(srv.base, token, (await api(srv.base, 'POST', `/api/workflows/${ids[0]}/check-runs`, null, token)).id);
    if (run.status !== 'passed') throw new Error(`check did not pass: ${JSON.stringify(run, null, 1).slice(0, 3000)}`);
    times.push(run.duration_ms);
  }
  const [cold, ...warm] = times;
  const outcomes = (await api(srv.base, 'GET', `/api/check-runs/${(await api(srv.base, 'GET', `/api/workflows/${ids[0]}/check-runs?limit=1`, null, token))[0].id}`, null, token)).steps.map((s) => s.outcome);
  line('check_locate_10_steps', { cold_ms: cold, p50_ms: pct(warm, 50), max_ms: Math.max(...warm), runs: warm.length, outcomes: outcomes.join(',') });

  // 2. a batch: BENCH_CHECKS checks over the workflows, all asked at once
  const before = usage(srv.child.pid);
  let peak = before.pss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, usage(srv.child.pid).pss);
      await sleep(200);
    }
  })();
  const start = Date.now();
  const pending = [];
  for (let done = 0; done < CHECKS; ) {
    const batch = Math.min(ids.length, CHECKS - done);
    const runs = await Promise.all(ids.slice(0, batch).map((id) => api(srv.base, 'POST', `/api/workflows/${id}/check-runs`, null, token)));
    pending.push(...(await Promise.all(runs.map((r) => waitRun(srv.base, token, r.id)))));
    done += batch;
  }
  const wall = (Date.now() - start) / 1000;
  sampling = false;
  await sampler;
  const after = usage(srv.child.pid);
  const cpu = after.cpu - before.cpu;
  const passed = pending.filter((r) => r.status === 'passed').length;
  const perCheck = cpu / CHECKS;
  line('checks_batch', { checks: CHECKS, passed, concurrency: CONCURRENCY, wall_s: wall, checks_per_min: (CHECKS / wall) * 60, cpu_s: cpu, cpu_s_per_check: perCheck, peak_pss_mb: peak / 1048576, idle_pss_mb: before.pss / 1048576 });
  // 100 workflows every 15 minutes: 400 checks an hour.
  const perHour = 400;
  line('checks_100_workflows_every_15_min', { checks_per_hour: perHour, cpu_s_per_hour: perHour * perCheck, cores_busy: (perHour * perCheck) / 3600, wall_s_per_hour_at_this_concurrency: perHour * (wall / CHECKS), share_of_hour: (perHour * (wall / CHECKS)) / 3600 });
} finally {
  await srv.stop();
  app.server.close();
}
