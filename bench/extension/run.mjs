#!/usr/bin/env node
// Extension benchmarks in Chromium (Debian's /usr/bin/chromium, headless), on a page of 5,000+
// elements, with the extension's own content-script code (bundled from packages/extension/src):
//   1. recording overhead: time spent inside the recorder's capture-phase listeners per event
//      (noise events and meaningful ones), and proof the page's own handlers still ran;
//   2. walkthrough: from a step's start to its overlay shown in the top layer (stored selector
//      matches), per step; the browser paints it with the next frame.
// Prints `scenario=… p50_ms=… p95_ms=… p99_ms=…` lines.
import { build } from 'vite';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const STEPS = Number(process.env.BENCH_STEPS ?? 40);

const out = await build({
  configFile: false,
  logLevel: 'warn',
  root: here,
  build: { write: false, minify: true, target: 'chrome116', lib: { entry: path.join(here, 'entry.ts'), formats: ['iife'], name: 'StepwiseBench', fileName: () => 'bench.js' } },
});
const bundle = (Array.isArray(out) ? out[0] : out).output[0].code;

function bigPage() {
  const rows = [];
  for (let i = 0; i < 700; i++) {
    rows.push(`<tr class="row r${i % 7}"><td class="c">${i}</td><td><span class="name">Client ${i}</span></td><td>client${i}@example.com</td>` +
      `<td><div class="cell"><em>${i * 3}</em></div></td><td><button class="btn edit" id="edit_${i}" type="button">Edit ${i}</button></td></tr>`);
  }
  const fields = Array.from({ length: 40 }, (_, i) => `<div class="field"><label for="f${i}">Field ${i}</label><input id="f${i}" name="f${i}"></div>`).join('');
  return `<!doctype html><html><head><title>Bench</title><style>body{font:13px sans-serif} td{border:1px solid #ddd;padding:2px}</style></head><body>
    <header><nav aria-label="Main"><a href="#a">A</a> <a href="#b">B</a></nav></header>
    <main><h1>Clients</h1><form id="form" onsubmit="return false">${fields}<button id="save" type="submit">Save</button></form>
    <table><tbody>${rows.join('')}</tbody></table></main>
    <script>window.pageEvents = 0; document.addEventListener('click', () => window.pageEvents++); document.addEventListener('change', () => window.pageEvents++); document.addEventListener('keydown', () => window.pageEvents++);</script>
    </body></html>`;
}

const server = http.createServer((req, res) => {
  if (req.url === '/bench.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return res.end(bundle);
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(bigPage());
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (n) => n.toFixed(3);

try {
  // ---- 1. recording overhead
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(base);
  await page.addScriptTag({ url: '/bench.js' });
  const count = await page.evaluate(() => document.getElementsByTagName('*').length);
  const rec = await page.evaluate(async (n) => {
    const timings = [];
    const deferredTimings = [];
    const kinds = [];
    const steps = [];
    const own = document.createElement('stepwise-recorder');
    document.documentElement.append(own);
    const ctl = new AbortController();
    window.StepwiseBench.initRecorder(window, {
      paused: false, recordNavigation: false, isOurs: (t) => t === own,
      emit: (s) => steps.push(s), emitOutcome: () => {}, trusted: () => true, timings, deferredTimings,
    }, ctl.signal);
    const noise = Array.from(document.querySelectorAll('td, span.name, em, h1'));
    const buttons = Array.from(document.querySelectorAll('button.edit'));
    const inputs = Array.from(document.querySelectorAll('form input'));
    let dispatched = 0;
    for (let i = 0; i < n; i++) {
      const r = i % 20;
      const before = timings.length;
      if (r < 11) {
        noise[(i * 7919) % noise.length].dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        kinds.push('noise');
      } else if (r < 18) {
        // Typing: every keystroke reaches the keydown listener; only Enter can be a step.
        inputs[i % inputs.length].dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, cancelable: true }));
        kinds.push('noise');
      } else if (r < 19) {
        buttons[(i * 104729) % buttons.length].dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        kinds.push('meaningful');
      } else {
        const input = inputs[i % inputs.length];
        input.value = `value ${i}`;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        kinds.push('meaningful');
      }
      dispatched++;
      // Each event produced exactly one listener measurement for its type.
      if (timings.length !== before + 1) throw new Error('unexpected listener count');
      if (i % 50 === 0) await new Promise((res) => setTimeout(res, 0));
    }
    ctl.abort();
    // Every step is delivered complete: selectors (ARIA ones for the named buttons and fields).
    const complete = steps.filter((s) => s.selectors.primary && s.selectors.css && s.selectors.aria && s.dom_context).length;
    return { timings, deferredTimings, kinds, steps: steps.length, complete, dispatched, pageEvents: window.pageEvents };
  }, EVENTS);
  const all = rec.timings;
  const meaningful = all.filter((_, i) => rec.kinds[i] === 'meaningful');
  const noise = all.filter((_, i) => rec.kinds[i] === 'noise');
  console.log(`page elements=${count} events=${rec.dispatched} steps_recorded=${rec.steps} steps_complete=${rec.complete} page_handlers_ran=${rec.pageEvents}`);
  if (rec.pageEvents !== rec.dispatched) throw new Error(`the page's own handlers ran ${rec.pageEvents} times for ${rec.dispatched} events`);
  if (rec.steps !== meaningful.length || rec.complete !== rec.steps) throw new Error(`${rec.steps} steps (${rec.complete} complete) for ${meaningful.length} meaningful events`);
  console.log(`scenario=recording_all_events n=${all.length} p50_ms=${fmt(pct(all, 50))} p95_ms=${fmt(pct(all, 95))} p99_ms=${fmt(pct(all, 99))}`);
  console.log(`scenario=recording_noise_events n=${noise.length} p50_ms=${fmt(pct(noise, 50))} p99_ms=${fmt(pct(noise, 99))}`);
  console.log(`scenario=recording_meaningful_events n=${meaningful.length} p50_ms=${fmt(pct(meaningful, 50))} p95_ms=${fmt(pct(meaningful, 95))} p99_ms=${fmt(pct(meaningful, 99))}`);
  const later = rec.deferredTimings;
  console.log(`scenario=recording_step_finished_after_event n=${later.length} p50_ms=${fmt(pct(later, 50))} p95_ms=${fmt(pct(later, 95))} p99_ms=${fmt(pct(later, 99))}`);
  await page.close();

  // ---- 2. step start → overlay
  const wpage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await wpage.goto(base);
  await wpage.evaluate(() => {
    // The walkthrough talks to the service worker; here every message is answered at once.
    window.chrome = { runtime: { sendMessage: async () => ({ ok: true, value: null }), id: 'bench' } };
  });
  await wpage.addScriptTag({ url: '/bench.js' });
  await wpage.evaluate((n) => {
    const steps = Array.from({ length: n }, (_, i) => {
      const id = `edit_${(i * 37) % 700}`;
      const el = document.getElementById(id);
      return {
        id: i + 1, step_number: i + 1, action_type: 'click',
        selectors: { primary: `#${id}`, css: `button#${id}`, xpath: null, data_testid: null, stable_attrs: { id } },
        element_meta: { tag_name: 'BUTTON', role: 'button', type: 'button', name: null, placeholder: null, inner_text: el.textContent, label_text: null, nearby_text: null, classes: ['btn', 'edit'], bounding_box: null, parent_tag: 'TD', parent_classes: null },
        page_context: { url: location.href, title: document.title, viewport: null, page_state_hash: null },
        action_data: null, expected_outcome: null, field_label: el.textContent, instruction: `Click ${el.textContent}`,
      };
    });
    window.StepwiseBench.initWalkthrough({ runId: 'bench-run', tabId: 1, workflow: { id: 1, name: 'bench', starting_url: location.href }, steps, index: 0, results: [], startedAt: Date.now(), finished: null }, new AbortController().signal);
  }, STEPS);
  const sync = [];
  for (let i = 0; i < STEPS; i++) {
    await wpage.waitForFunction((want) => {
      const h = document.querySelector('stepwise-guide');
      return h && h.dataset.state === 'step' && Number(h.dataset.step) === want;
    }, i, { timeout: 10_000, polling: 'raf' });
    sync.push(Number(await wpage.evaluate(() => document.querySelector('stepwise-guide').dataset.overlayMs)));
    const id = await wpage.evaluate((k) => `edit_${(k * 37) % 700}`, i);
    await wpage.click(`#${id}`);
  }
  console.log(`scenario=walkthrough_step_to_overlay n=${sync.length} p50_ms=${fmt(pct(sync, 50))} p95_ms=${fmt(pct(sync, 95))} max_ms=${fmt(Math.max(...sync))}`);
  await wpage.close();
} finally {
  await browser.close();
  server.close();
}
