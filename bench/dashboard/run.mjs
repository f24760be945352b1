#!/usr/bin/env node
// Dashboard benchmarks:
//  1. the first page's JavaScript, gzipped: the entry chunk and everything index.html preloads
//     (target ≤ 250 KB);
//  2. the workflows page with 1,000 workflows on the real server, in Debian's Chromium
//     (playwright-core): open, next page, search, sort — each timed in the page from the action to
//     the rows on screen — and the main thread's long tasks (> 50 ms) meanwhile.
// Prints `scenario=<name> key=value…` lines like the other benchmarks.
import { execSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { dashboardDir, repoRoot, serverServesDashboard, startServer, startStaticServer } from '../../e2e/dashboard/harness.mjs';

const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const line = (name, values) => console.log(`scenario=${name} ${Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`).join(' ')}`);

function firstPageJs() {
  const html = readFileSync(path.join(dashboardDir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
  let raw = 0;
  let gz = 0;
  for (const ref of new Set(refs)) {
    const buf = readFileSync(path.join(dashboardDir, ref));
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  const lazy = readdirSync(path.join(dashboardDir, 'assets')).filter((f) => f.endsWith('.js') && !refs.some((r) => r.endsWith(f)));
  const lazyGz = lazy.reduce((t, f) => t + gzipSync(readFileSync(path.join(dashboardDir, 'assets', f)), { level: 9 }).length, 0);
  line('dashboard_first_page_js', { files: refs.length, raw_kb: raw / 1024, gzip_kb: gz / 1024, target_gzip_kb: 250, lazy_chunks: lazy.length, lazy_gzip_kb: lazyGz / 1024 });
  return gz / 1024;
}

async function api(base, token, method, url, body) {
  const res = await fetch(`${base}${url}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
  return res.json();
}

async function seed(base, n) {
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Admin', email: `bench-${Date.now()}@example.com`, password: 'bench password 1', company_name: 'Bench Ltd' }),
  }).then((r) => r.json());
  const token = signup.data.token;
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await api(base, token, 'POST', '/api/workflows', {
        metadata: { name: `Workflow ${String(i + 1).padStart(4, '0')}`, description: `Bench workflow number ${i + 1}`, starting_url: `https://app${i % 7}.example.com/start`, tags: [`team-${i % 5}`, i % 2 ? 'odd' : 'even'] },
        steps: [{ step_number: 1, action_type: 'click', selectors: { primary: '#go' }, element_meta: { tag_name: 'button' }, page_context: { url: `https://app${i % 7}.example.com/start` } }],
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  line('dashboard_seed', { workflows: n, seconds: (Date.now() - started) / 1000 });
  return token;
}

/** Runs `act` in the page and resolves with ms until `done()` holds on a frame (rAF polling). */
function timed(page, act, done, arg) {
  return page.evaluate(
    async ({ act, done, arg }) => {
      const run = new Function('arg', act);
      const check = new Function('arg', done);
      const t0 = performance.now();
      run(arg);
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if (check(arg)) return performance.now() - t0;
        if (performance.now() - t0 > 15000) throw new Error('timed out waiting for the list');
      }
    },
    { act, done, arg },
  );
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== '1') execSync('npm run build -w packages/dashboard', { cwd: repoRoot, stdio: 'ignore' });
  firstPageJs();

  const server = await startServer();
  let staticServer = null;
  let base = server.base;
  if (!(await serverServesDashboard(server.base))) {
    staticServer = await startStaticServer(server.base);
    base = staticServer.base;
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const token = await seed(server.base, WORKFLOWS);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((t) => {
      localStorage.setItem('stepwise.token', t);
      window.__long = [];
      new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
    }, token);
    const page = await context.newPage();
    const rows = 'return document.querySelectorAll("tbody tr[data-testid^=workflow-row-]").length';

    for (const size of [25, 100]) {
      const open = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = Date.now();
        await page.goto(`${base}/workflows?size=${size}`);
        await page.waitForFunction((n) => document.querySelectorAll('tbody tr[data-testid^=workflow-row-]').length === n, size);
        open.push(Date.now() - t0);
      }
      line(`dashboard_list_open_${size}_rows`, { workflows: WORKFLOWS, rounds: ROUNDS, p50_ms: pct(open, 50), p95_ms: pct(open, 95) });

      const nextPage = [];
      const pages = Math.ceil(WORKFLOWS / size);
      for (let i = 0; i < Math.min(ROUNDS, pages - 1); i++) {
        nextPage.push(
          await timed(
            page,
            'window.__first = document.querySelector("tbody tr")?.getAttribute("data-testid"); [...document.querySelectorAll("nav[aria-label=\'Workflow pages\'] button")].find((b) => b.textContent === "Next").click();',
            `const r = document.querySelector("tbody tr"); return r && r.getAttribute("data-testid") !== window.__first && (${rows.replace('return ', '')}) === arg;`,
            size,
          ),
        );
      }
      line(`dashboard_list_next_page_${size}_rows`, { workflows: WORKFLOWS, rounds: nextPage.length, p50_ms: pct(nextPage, 50), p95_ms: pct(nextPage, 95) });

      const sort = [];
      for (let i = 0; i < ROUNDS; i++) {
        sort.push(
          await timed(
            page,
            'window.__first = document.querySelector("tbody tr")?.getAttribute("data-testid"); document.querySelector("th[aria-sort] button").click();',
            'const r = document.querySelector("tbody tr"); return r && r.getAttribute("data-testid") !== window.__first;',
            size,
          ),
        );
      }
      line(`dashboard_list_sort_${size}_rows`, { workflows: WORKFLOWS, rounds: ROUNDS, p50_ms: pct(sort, 50), p95_ms: pct(sort, 95) });
    }

    // Search: the box waits 300 ms after the last key before asking, so subtract nothing: this is what people feel.
    await page.goto(`${base}/workflows`);
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);
    const search = [];
    for (let i = 0; i < ROUNDS; i++) {
      const term = `Workflow ${String(100 + i * 37).padStart(4, '0')}`;
      await page.fill('input[type=search]', '');
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);
      const t0 = Date.now();
      await page.fill('input[type=search]', term);
      await page.waitForFunction((t) => { const r = [...document.querySelectorAll('tbody tr')]; return r.length === 1 && r[0].textContent.includes(t); }, term);
      search.push(Date.now() - t0);
    }
    line('dashboard_list_search', { workflows: WORKFLOWS, rounds: ROUNDS, p50_ms: pct(search, 50), p95_ms: pct(search, 95), includes_debounce_ms: 300 });

    // Typing stays smooth: time for one keystroke to show in the box while the list is on screen.
    const keys = [];
    await page.fill('input[type=search]', '');
    for (let i = 0; i < ROUNDS * 2; i++) {
      keys.push(
        await timed(
          page,
          'const el = document.querySelector("input[type=search]"); const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set; set.call(el, el.value + "x"); el.dispatchEvent(new Event("input", { bubbles: true }));',
          'return document.querySelector("input[type=search]").value.length === arg;',
          i + 1,
        ),
      );
    }
    line('dashboard_list_keystroke', { workflows: WORKFLOWS, rounds: keys.length, p50_ms: pct(keys, 50), p95_ms: pct(keys, 95) });

    const long = await page.evaluate(() => window.__long);
    line('dashboard_list_long_tasks', { count: long.length, max_ms: long.length ? Math.max(...long) : 0, since: 'last_load_search_and_typing' });
    await context.close();
  } finally {
    await browser.close();
    if (staticServer) await staticServer.stop();
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
