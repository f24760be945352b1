// Pieces of the extension's end-to-end run: the built extension prepared for a headless run,
// Chromium with it loaded (playwright-core, Debian's /usr/bin/chromium), the overlay read through
// the DevTools protocol (it lives in a closed shadow root, which page scripts cannot open), the
// API as the test's own client, and test cases written as JUnit.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = path.join(repoRoot, 'packages/extension/dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/**
 * A copy of dist/ whose manifest already holds the host access the popup asks for at run time
 * (`optional_host_permissions: <all_urls>`): headless Chromium cannot show the permission prompt,
 * so the test starts from "the user accepted it". Everything else is the shipped build.
 */
export function preparedExtension() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stepwise-ext-'));
  cpSync(distDir, dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.host_permissions = manifest.optional_host_permissions ?? [];
  delete manifest.optional_host_permissions;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

export async function launch(extDir) {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'stepwise-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--disable-extensions-except=${extDir}`,
      `--load-extension=${extDir}`,
    ],
  });
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 15_000 });
  const extensionId = new URL(worker.url()).host;
  return { context, extensionId, userDataDir };
}

/** The extension's current service worker (a stopped one is started again by any event). */
export async function serviceWorker(context, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const sw = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    if (sw) {
      try {
        await sw.evaluate(() => 1);
        return sw;
      } catch {
        /* closing */
      }
    }
    if (Date.now() > deadline) throw new Error('no service worker');
    await sleep(100);
  }
}

export async function tabIdOf(context, urlPrefix) {
  const sw = await serviceWorker(context);
  const ids = await sw.evaluate(async (u) => (await chrome.tabs.query({})).filter((t) => (t.url ?? '').startsWith(u)).map((t) => t.id), urlPrefix);
  assert(ids.length === 1, `expected one tab at ${urlPrefix}, found ${ids.length}`);
  return ids[0];
}

export async function waitFor(fn, { timeout = 15_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(interval);
  }
}

// ---- the overlay, read through CDP (closed shadow roots are visible to DevTools only)

function findNode(node, pred) {
  if (pred(node)) return node;
  for (const kids of [node.children ?? [], node.shadowRoots ?? [], node.contentDocument ? [node.contentDocument] : []]) {
    for (const k of kids) {
      const hit = findNode(k, pred);
      if (hit) return hit;
    }
  }
  return null;
}
function findAll(node, pred, out = []) {
  if (pred(node)) out.push(node);
  for (const kids of [node.children ?? [], node.shadowRoots ?? []]) for (const k of kids) findAll(k, pred, out);
  return out;
}
const attr = (n, name) => {
  const a = n.attributes ?? [];
  const i = a.indexOf(name);
  return i >= 0 && i % 2 === 0 ? a[i + 1] : null;
};
const textOf = (n) => (n.nodeType === 3 ? n.nodeValue : (n.children ?? []).map(textOf).join(''));

/**
 * What the overlay shows now: title, body, step count, hint, buttons (with boxes, and which is
 * primary), the card's checkbox (label, checked, box), tooltip box, and the spotlight's box with
 * the width of its border (the ring's inner band).
 */
export async function overlay(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = findNode(root, (n) => n.localName === 'stepwise-guide');
    if (!host) return null;
    const shadow = host.shadowRoots?.[0];
    assert(shadow?.shadowRootType === 'closed', 'the overlay must live in a closed shadow root');
    const byClass = (cls) => findNode(shadow, (n) => (attr(n, 'class') ?? '').split(/\s+/).includes(cls));
    const tip = byClass('tip');
    const layer = byClass('layer');
    const spot = byClass('spot');
    const box = async (n) => {
      try {
        const { model } = await cdp.send('DOM.getBoxModel', { nodeId: n.nodeId });
        const [x1, y1, , , x3, y3] = model.border;
        return { x: x1, y: y1, width: x3 - x1, height: y3 - y1, borderWidth: model.padding[0] - x1 };
      } catch {
        return null;
      }
    };
    const buttons = [];
    for (const b of findAll(tip, (n) => n.localName === 'button')) buttons.push({ label: textOf(b), primary: (attr(b, 'class') ?? '').split(/\s+/).includes('primary'), box: await box(b) });
    // The checkbox's state is a property, not an attribute: asked of the node itself.
    const optionNode = byClass('option');
    let option = null;
    if (optionNode && attr(optionNode, 'hidden') === null) {
      const input = findNode(optionNode, (n) => n.localName === 'input');
      const { object } = await cdp.send('DOM.resolveNode', { nodeId: input.nodeId });
      const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.checked; }', returnByValue: true });
      option = { label: textOf(optionNode), checked: result.value === true, box: await box(input) };
    }
    return {
      state: attr(host, 'data-state'),
      step: Number(attr(host, 'data-step')),
      popover: attr(layer, 'popover'),
      title: textOf(byClass('title')),
      body: textOf(byClass('body')),
      count: textOf(byClass('count')),
      hint: textOf(byClass('hint')),
      tip: await box(tip),
      // The spotlight's box while it is drawn, and whether it is a question (dashed) or a match.
      spot: spot && !/display:\s*none/.test(attr(spot, 'style') ?? '') ? await box(spot) : null,
      question: (attr(spot, 'class') ?? '').split(/\s+/).includes('ask'),
      buttons,
      option,
    };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Clicks an overlay button the way a user does: the mouse at its centre. */
export async function pressOverlay(page, label) {
  const o = await overlay(page);
  const b = o?.buttons.find((x) => x.label === label);
  assert(b?.box, `overlay button ${label} not found (have ${o?.buttons.map((x) => x.label).join(', ')})`);
  await page.mouse.click(b.box.x + b.box.width / 2, b.box.y + b.box.height / 2);
}

/** Clicks the card's checkbox the way a user does. */
export async function toggleOverlayOption(page) {
  const o = await overlay(page);
  assert(o?.option?.box, `the card has no checkbox (${o?.title})`);
  await page.mouse.click(o.option.box.x + o.option.box.width / 2, o.option.box.y + o.option.box.height / 2);
}

/** Waits for the walkthrough to show step `index` (0-based) with its element spotlighted. */
export async function waitStep(page, index, timeout = 20_000) {
  await waitFor(
    async () => {
      const s = await page.evaluate(() => {
        const h = document.querySelector('stepwise-guide');
        return h ? { state: h.dataset.state, step: Number(h.dataset.step) } : null;
      });
      return s && s.state === 'step' && s.step === index;
    },
    { timeout, message: `walkthrough step ${index + 1} on ${page.url()}` },
  ).catch(async (e) => {
    throw new Error(`${e.message}; the overlay shows ${await overlayLine(page)}`);
  });
  return overlay(page);
}

/** What the overlay shows, in one line (for a failure message). */
async function overlayLine(page) {
  const o = await overlay(page).catch(() => null);
  return o ? `state ${o.state}, step ${o.step + 1}: ${o.title} — ${o.body} [${o.buttons.map((b) => b.label).join(', ')}]` : 'no overlay';
}

export async function waitState(page, state, timeout = 20_000) {
  try {
    await waitFor(() => page.evaluate((st) => document.querySelector('stepwise-guide')?.dataset.state === st, state), { timeout, message: `overlay state ${state} on ${page.url()}` });
  } catch (e) {
    throw new Error(`${e.message}; the overlay shows ${await overlayLine(page)}`);
  }
  return overlay(page);
}

// ---- the API as the test's own client

export function api(base) {
  const call = async (method, p, { token, body } = {}) => {
    const res = await fetch(base + p, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  };
  return { call };
}

/** Every byte the server stored (database with WAL, blobs), for "the password is nowhere". */
export function storedBytes(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name !== 'server.log') out.push({ path: p, bytes: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

// ---- JUnit

export class Suite {
  constructor(name) {
    this.name = name;
    this.cases = [];
  }

  async test(name, fn, { needs = [] } = {}) {
    const started = Date.now();
    const missing = needs.filter((n) => !this.cases.find((c) => c.name === n && !c.error && !c.skipped));
    if (missing.length) {
      this.cases.push({ name, time: 0, skipped: `needs: ${missing.join(', ')}` });
      console.log(`- skip ${name} (needs ${missing.join(', ')})`);
      return;
    }
    try {
      await fn();
      this.cases.push({ name, time: (Date.now() - started) / 1000 });
      console.log(`✓ ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      // A case passes or fails: there is no "not there yet".
      this.cases.push({ name, time: (Date.now() - started) / 1000, error: e });
      console.log(`✗ ${name}\n${e?.stack ?? e}`);
    }
  }

  get failed() {
    return this.cases.some((c) => c.error);
  }

  writeJunit(file) {
    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const failures = this.cases.filter((c) => c.error).length;
    const skipped = this.cases.filter((c) => c.skipped).length;
    const time = this.cases.reduce((t, c) => t + c.time, 0);
    const body = this.cases
      .map((c) => {
        const open = `  <testcase classname="${esc(this.name)}" name="${esc(c.name)}" time="${c.time.toFixed(3)}"`;
        if (c.skipped) return `${open}><skipped message="${esc(c.skipped)}"/></testcase>`;
        if (c.error) return `${open}><failure message="${esc(c.error.message ?? c.error)}">${esc(c.error.stack ?? c.error)}</failure></testcase>`;
        return `${open}/>`;
      })
      .join('\n');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${this.cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n<testsuite name="${esc(this.name)}" tests="${this.cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n${body}\n</testsuite>\n</testsuites>\n`,
    );
  }
}
