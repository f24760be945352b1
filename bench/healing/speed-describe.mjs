#!/usr/bin/env node
// describeElement p99 on a 5,000-element page in Debian's Chromium (target ≤ 1 ms).
// The page mixes forms, tables, links and nested wrappers; every interactive element is
// described once and timed in the page with performance.now().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const iife = fs.readFileSync(path.join(repo, 'packages/guide-core/dist/guide-core.iife.js'), 'utf8');
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gc-bench-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  userDataDir,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><head><title>bench</title></head><body></body></html>');
  await page.addScriptTag({ content: iife });
  const result = await page.evaluate(() => {
    const body = document.body;
    const parts = [];
    let count = 0;
    // Build ~5,000 elements: 100 sections × (heading, form of 4 labelled fields, table of 5 rows with 2 buttons, nav of 5 links).
    for (let s = 0; s < 62; s++) {
      parts.push(`<section class="panel panel-${s % 7}" id="sec-${s}"><h2>Section ${s}</h2><form class="form-horizontal">`);
      for (let f = 0; f < 4; f++) parts.push(`<div class="form-group"><label for="f${s}_${f}">Field ${f} of ${s}</label><input id="f${s}_${f}" name="field_${f}" class="form-control" placeholder="Value ${f}"></div>`);
      parts.push('<button type="submit" class="btn btn-primary">Save</button></form><table class="table"><tbody>');
      for (let r = 0; r < 5; r++) parts.push(`<tr><td><span>Row ${r}</span></td><td><div><span>client${r}@example.com</span></div></td><td><button class="btn edit" aria-label="Edit row ${r}">Edit</button><button class="btn delete">Delete</button></td></tr>`);
      parts.push('</tbody></table><nav><ul>');
      for (let l = 0; l < 5; l++) parts.push(`<li class="nav-item"><a href="/s/${s}/l/${l}" class="nav-link"><span>Link ${l}</span></a></li>`);
      parts.push('</ul></nav></section>');
    }
    body.innerHTML = parts.join('');
    count = document.getElementsByTagName('*').length;
    const targets = Array.from(document.querySelectorAll('input,button,a'));
    // Warm-up pass over every target (JIT, style and layout caches), then the measured pass:
    // steady state, as in a recording session that describes element after element.
    for (const el of targets) window.StepwiseGuideCore.describeElement(el);
    // Three measured passes; the machine is shared, so each pass's p99 is reported.
    const passes = [];
    for (let pass = 0; pass < 3; pass++) {
      const times = [];
      for (const el of targets) {
        const t0 = performance.now();
        window.StepwiseGuideCore.describeElement(el);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
      passes.push({ p50: q(0.5), p99: q(0.99), max: times[times.length - 1] });
    }
    // Where the time goes (totals over all targets), for whoever tunes this next.
    const spent = {};
    for (const el of targets) window.StepwiseGuideCore.describeElement(el, { timings: spent });
    const t0 = performance.now();
    for (const el of targets) window.StepwiseGuideCore.describeElement(el, { metaOnly: true });
    spent.meta = performance.now() - t0;
    return { elements: count, described: targets.length, passes, parts: spent };
  });
  console.log(`parts (total ms over all targets): ${Object.entries(result.parts).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  const p99s = result.passes.map((p) => p.p99);
  const best = Math.min(...p99s);
  const median = [...p99s].sort((a, b) => a - b)[1];
  console.log(`describeElement: ${result.described} elements on a ${result.elements}-element page, 3 passes: ` +
    result.passes.map((p) => `p50 ${p.p50.toFixed(2)} / p99 ${p.p99.toFixed(2)} ms`).join('; ') +
    ` (target p99 ≤ 1 ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  console.log(`bench describe_ms_p99_best=${best.toFixed(2)} describe_ms_p99_median=${median.toFixed(2)} elements=${result.elements}`);
} finally {
  await browser.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
