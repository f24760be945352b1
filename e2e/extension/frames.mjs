#!/usr/bin/env node
// End-to-end run of recording and guiding inside iframes (same-origin and cross-origin) and shadow
// roots (open and closed): real Chromium with the built extension, the real server, and the
// redesign fixture pairs `iframe-shell` and `shadow-components` (e2e/fixtures/redesign). For each
// pair: record its task on v1 through the popup and the page like a user, check that the server
// stored every step with the right frame path and frame index / shadow chain (and, for the
// frames, that the Playwright and DevTools exports say which frame), approve the workflow, then
// walk it as a regular member on v1 (every step found by its selector) and on v2 (healed, or
// asked and answered by acting on the element) to the end card. Screenshots of a framed step and of a
// shadow-root step being guided go to build/e2e-screenshots/extension/.
// Writes $JUNIT_DIR/extension-frames-e2e.xml when JUNIT_DIR is set. E2E_ONLY=iframe-shell or
// shadow-components runs one pair; E2E_DUMP=<dir> writes each recorded workflow there as JSON.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../dashboard/harness.mjs';
import { resolvePath } from '../fixtures/redesign/drive.mjs';
import { pairByName } from '../fixtures/redesign/pairs/index.mjs';
import { startRedesignApp } from '../fixtures/redesign/server.mjs';
import { flows, userAct } from './flows.mjs';
import { Suite, api, assert, distDir, launch, overlay, preparedExtension, pressOverlay, repoRoot, serviceWorker, sleep, tabIdOf, waitFor } from './harness.mjs';

const ONLY = process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(',')) : null;
const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/extension');

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}
mkdirSync(SHOTS, { recursive: true });

const suite = new Suite('extension-frames-e2e');
const server = await startServer();
const app = await startRedesignApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, fixture app ${app.url} (cross-origin side ${app.crossOriginUrl}), extension ${extensionId}`);

const admin = { email: 'ada@frames.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@frames.test', password: 'member-password-1', name: 'Bob Member' };
const state = { adminToken: null, workflows: {} };

const PAIRS = [
  { pair: pairByName('iframe-shell'), name: 'Request time off and enrol in benefits' },
  { pair: pairByName('shadow-components'), name: 'Place a plywood order' },
];

const { openPopup, signInPopup, approve } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

/**
 * Waits until our content script runs in `frame` (its isolated world exists, seen through the
 * DevTools protocol: nothing in the page shows it), then pauses like a person about to act.
 */
async function contentScriptIn(page, frame) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const worlds = [];
    cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
    await cdp.send('Runtime.enable');
    await waitFor(
      async () => {
        const { frameTree } = await cdp.send('Page.getFrameTree');
        const ids = [];
        const walk = (t) => {
          if (t.frame.url === frame.url()) ids.push(t.frame.id);
          for (const c of t.childFrames ?? []) walk(c);
        };
        walk(frameTree);
        return worlds.some((w) => w.auxData?.type === 'isolated' && w.name === 'Stepwise' && ids.includes(w.auxData.frameId));
      },
      { timeout: 15_000, message: `the content script in ${frame.url()}` },
    );
  } finally {
    await cdp.detach().catch(() => {});
  }
  await sleep(400);
}

/** The extension's own error log (what the popup shows), for a failure message. */
async function extensionErrors() {
  const sw = await serviceWorker(context).catch(() => null);
  const got = sw ? await sw.evaluate(() => chrome.storage.local.get('errors')).catch(() => null) : null;
  return JSON.stringify(got?.errors?.slice?.(0, 5) ?? got);
}

/** Waits for the recorder's count (the control in the top frame), then a person's pause between actions. */
async function expectSteps(page, n) {
  await waitFor(() => page.evaluate((want) => Number(document.querySelector('stepwise-recorder')?.dataset.steps) >= want, n), { message: `${n} recorded steps on ${page.url()}` }).catch(async (e) => {
    throw new Error(`${e.message}; the extension's errors: ${await extensionErrors()}`);
  });
  await sleep(650);
}


const guideState = (frame) =>
  frame
    .evaluate(() => {
      const h = document.querySelector('stepwise-guide');
      return h ? { ...h.dataset } : null;
    })
    .catch(() => null);

async function allGuideStates(page) {
  const out = [];
  for (const f of page.frames()) out.push(`${new URL(f.url()).pathname}: ${JSON.stringify(await guideState(f))}`);
  return out.join('; ');
}

/**
 * Runs a workflow's Playwright export (its `test` stood in for) on a new page of the browser;
 * returns the page it ran on.
 */
async function runPlaywrightExport(workflowId) {
  const res = await fetch(`${server.base}/api/workflows/${workflowId}/export?format=playwright`, { headers: { Authorization: `Bearer ${state.adminToken}` } });
  const src = await res.text();
  assert(res.ok, `export: ${res.status} ${src.slice(0, 200)}`);
  let body = null;
  new Function('test', src.replace("import { test } from '@playwright/test';", ''))((_name, fn) => {
    body = fn;
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  try {
    await body({ page });
  } catch (e) {
    await page.close();
    throw new Error(`the export failed: ${e.message}\n${src}`);
  }
  return { page, src };
}

const framed = (p) => p.some((s) => s.startsWith('frame:'));
const shadowed = (p) => p.some((s) => s.startsWith('shadow:'));

async function record({ pair, name }) {
  const page = await context.newPage();
  const start = `${app.url}${pair.steps[0].page}`;
  await page.goto(start);
  const tabId = await tabIdOf(context, start);
  const popup = await openPopup(tabId);
  await signInPopup(popup, admin);
  await popup.getByLabel('Name').fill(name);
  await popup.getByLabel('Description').fill(`${pair.name} fixture, v1`);
  await popup.getByRole('button', { name: 'Record a workflow' }).click();
  await popup.getByTestId('recording-status').waitFor({ timeout: 10_000 });
  await page.bringToFront();
  await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
  for (let i = 0; i < pair.steps.length; i++) {
    const step = pair.steps[i];
    if (new URL(page.url()).pathname !== step.page) await page.waitForURL((u) => u.pathname === step.page, { timeout: 10_000 });
    const r = await resolvePath(page, step.v1, { timeout: 10_000 });
    assert(r, `step ${i + 1} (${step.name}): v1 element not found`);
    await contentScriptIn(page, r.frame);
    const handle = (await resolvePath(page, step.v1, { timeout: 10_000 })).handle;
    await userAct(page, step, handle);
    await expectSteps(page, i + 1);
  }
  await popup.bringToFront();
  await waitFor(async () => (await popup.getByTestId('step-count').textContent()) === String(pair.steps.length), { message: `popup shows ${pair.steps.length} steps` });
  await popup.getByRole('button', { name: 'Stop & upload' }).click();
  await popup.locator('[data-testid="upload-item"][data-status="uploaded"]', { hasText: name }).waitFor({ timeout: 30_000 });
  await popup.close();
  await page.close();
  const list = await call('GET', `/api/workflows?q=${encodeURIComponent(name)}`, { token: state.adminToken });
  const wf = list.json.data.find((w) => w.name === name);
  assert(wf, `workflow not listed: ${list.text}`);
  state.workflows[pair.name] = wf.id;
  const detail = (await call('GET', `/api/workflows/${wf.id}`, { token: state.adminToken })).json.data;
  if (process.env.E2E_DUMP) writeFileSync(path.join(process.env.E2E_DUMP, `${pair.name}.json`), JSON.stringify(detail, null, 2));
  return detail;
}

/** Starts the guide from the popup as the member, from another page of the app. */
async function startGuide(page, name, startPath) {
  await page.goto(`${app.url}/`);
  const tabId = await tabIdOf(context, `${app.url}/`);
  const popup = await openPopup(tabId);
  await signInPopup(popup, member);
  await popup.getByRole('button', { name: `Start ${name}` }).click({ timeout: 15_000 });
  await popup.close().catch(() => {});
  await page.bringToFront();
  await page.waitForURL((u) => u.pathname === startPath, { timeout: 15_000 });
}

/**
 * Walks the workflow as the member on `version`: for each step the frame that holds its element
 * must show it (state step, or ask: a question with a dashed spotlight), the top frame must show
 * the "continue in the highlighted area" card while the step is in an iframe, and the test does
 * the step on the element the fixture names for this version (for a question, acting on it is the
 * answer). Returns each step's { state, found, method }.
 */
async function walk({ pair, name }, version, shots = {}) {
  const page = await context.newPage();
  await startGuide(page, name, pair.steps[0].page);
  const seen = [];
  for (let i = 0; i < pair.steps.length; i++) {
    const step = pair.steps[i];
    const p = version === 1 ? step.v1 : step.v2;
    let where = null;
    const shown = await waitFor(
      async () => {
        const r = await resolvePath(page, p, { timeout: 0 });
        if (!r) return null;
        where = r.frame;
        const s = await guideState(r.frame);
        return s && Number(s.step) === i && (s.state === 'step' || s.state === 'ask') ? s : null;
      },
      { timeout: 40_000, message: `v${version} step ${i + 1} (${step.name}) shown where its element is` },
    ).catch(async (e) => {
      throw new Error(`${e.message}; the frames show ${await allGuideStates(page)}`);
    });
    if (framed(p)) {
      const top = await guideState(page.mainFrame());
      assert(top?.state === 'in-frame' && Number(top.step) === i, `v${version} step ${i + 1}: the top frame shows ${JSON.stringify(top)} while the step is in a frame`);
      for (const f of page.frames()) {
        if (f === where || f === page.mainFrame()) continue;
        const other = await guideState(f);
        assert(!other || other.state === 'elsewhere', `v${version} step ${i + 1}: another frame (${f.url()}) shows ${JSON.stringify(other)}`);
      }
    } else {
      assert(where === page.mainFrame(), `v${version} step ${i + 1}: shown in ${where.url()}`);
    }
    seen.push({ state: shown.state, found: shown.found, method: shown.method });
    if (shots[i] !== undefined) {
      await sleep(300); // the spotlight's transition
      const file = path.join(SHOTS, `frames-${pair.name}-v${version}-step${i + 1}-${shots[i]}.png`);
      await page.screenshot({ path: file });
      console.log(`  screenshot ${path.relative(repoRoot, file)} (${shown.state})`);
    }
    const r = await resolvePath(page, p, { timeout: 5000 });
    assert(r, `v${version} step ${i + 1}: element gone`);
    await userAct(page, step, r.handle);
  }
  const done = await waitFor(
    async () => {
      const s = await guideState(page.mainFrame());
      return s && (s.state === 'done' || s.state === 'finished') ? s : null;
    },
    { timeout: 30_000, message: `v${version}: the end card` },
  ).catch(async (e) => {
    throw new Error(`${e.message}; the frames show ${await allGuideStates(page)}`);
  });
  const o = await overlay(page);
  console.log(`  v${version}: ${seen.map((s, k) => `${k + 1} ${s.state}/${s.method}`).join(', ')}; end: ${o?.title}`);
  assert(done.state === 'done' && done.outcome === 'success', `v${version}: the run ended ${done.state} ${done.outcome} (${o?.title})`);
  assert(o.title === 'All done!', `v${version}: end card ${o.title}`);
  await pressOverlay(page, 'Close');
  await waitFor(() => page.evaluate(() => document.querySelector('stepwise-guide') === null), { message: 'overlay removed after Close' });
  await page.close();
  return seen;
}

try {
  await suite.test('setup: admin and member accounts', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Frames & Roots' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
  });

  const iframe = PAIRS[0];
  const shadow = PAIRS[1];
  const iframeRecorded = 'iframe-shell: record on v1 (same-origin and cross-origin frames); every step stored with its frame path';
  const shadowRecorded = 'shadow-components: record on v1 (nested open roots, a closed root); every step stored with its shadow chain';

  if (!ONLY || ONLY.has('iframe-shell')) {
    await suite.test(iframeRecorded, async () => {
      const detail = await record(iframe);
      const steps = detail.steps;
      assert(steps.length === 8, `8 steps expected, got ${steps.length}: ${steps.map((s) => s.action_type)}`);
      const types = steps.map((s) => s.action_type).join(',');
      assert(types === 'click,select_change,input_commit,input_commit,submit,click,click,submit', `action types ${types}`);
      const content = `${app.url}/iframe-shell/frame/timeoff`;
      const partner = `${app.crossOriginUrl}/iframe-shell/widget/benefits`;
      const want = [null, ['#content-frame', content], ['#content-frame', content], ['#content-frame', content], ['#content-frame', content], null, ['#benefits-frame', partner], ['#benefits-frame', partner]];
      steps.forEach((s, k) => {
        const w = want[k];
        const fp = s.selectors.frame_path ?? null;
        if (!w) {
          assert(!fp || !fp.length, `step ${k + 1} is in the top document, stored frame_path ${JSON.stringify(fp)}`);
          return;
        }
        assert(JSON.stringify(fp) === JSON.stringify([w[0]]), `step ${k + 1} frame_path ${JSON.stringify(fp)}, want ${JSON.stringify([w[0]])}`);
        assert(JSON.stringify(s.selectors.frame_urls) === JSON.stringify([w[1]]), `step ${k + 1} frame_urls ${JSON.stringify(s.selectors.frame_urls)}, want ${JSON.stringify([w[1]])}`);
        // Each page of the shell has one iframe: window.frames[0].
        assert(JSON.stringify(s.selectors.frame_index) === '[0]', `step ${k + 1} frame_index ${JSON.stringify(s.selectors.frame_index)}, want [0]`);
      });
      assert(steps[1].action_data?.input_value === 'Annual leave', `leave type value ${JSON.stringify(steps[1].action_data)}`);
      assert(steps[2].action_data?.input_value === '2026-12-21', `from date value ${JSON.stringify(steps[2].action_data)}`);
      assert(steps[6].element_meta.tag_name === 'INPUT' && steps[6].element_meta.type === 'checkbox', `the dental click is recorded on its checkbox: ${JSON.stringify(steps[6].element_meta)}`);
      const missing = steps.filter((s) => !s.screenshot_ref).map((s) => s.step_number);
      if (missing.length) {
        const sw = await serviceWorker(context).catch(() => null);
        const log = sw ? await sw.evaluate(() => globalThis.__stepwiseCaptureLog).catch(() => null) : null;
        throw new Error(`steps ${missing} have no screenshot; the extension's errors: ${await extensionErrors()}; captures: ${JSON.stringify(log)}`);
      }
    }, { needs: ['setup: admin and member accounts'] });

    await suite.test('iframe-shell: the Playwright export reaches into the frames', async () => {
      const res = await fetch(`${server.base}/api/workflows/${state.workflows['iframe-shell']}/export?format=playwright`, { headers: { Authorization: `Bearer ${state.adminToken}` } });
      const text = await res.text();
      assert(res.ok, `export: ${res.status} ${text.slice(0, 200)}`);
      assert(text.includes('frameLocator("#content-frame")') || text.includes("frameLocator('#content-frame')"), `no frameLocator for the content frame in:\n${text.slice(0, 1500)}`);
      assert(text.includes('frameLocator("#benefits-frame")') || text.includes("frameLocator('#benefits-frame')"), 'no frameLocator for the partner frame');
    }, { needs: [iframeRecorded] });

    await suite.test('iframe-shell: the DevTools export says which frame each framed step is in', async () => {
      const id = state.workflows['iframe-shell'];
      const res = await fetch(`${server.base}/api/workflows/${id}/export?format=devtools`, { headers: { Authorization: `Bearer ${state.adminToken}` } });
      const text = await res.text();
      assert(res.ok, `export: ${res.status} ${text.slice(0, 200)}`);
      const rec = JSON.parse(text);
      const steps = (await call('GET', `/api/workflows/${id}`, { token: state.adminToken })).json.data.steps;
      // A step becomes a click or a change, except a submit by Enter (keyDown, which has no target).
      const acting = steps.filter((s) => !(s.action_type === 'submit' && s.action_data?.submit_key === 'enter'));
      const acts = rec.steps.filter((s) => s.type === 'click' || s.type === 'change');
      const got = acts.map((s) => s.frame ?? null);
      const want = acting.map((s) => s.selectors.frame_index ?? null);
      assert(JSON.stringify(got) === JSON.stringify(want), `the export's frames ${JSON.stringify(got)}, the steps' ${JSON.stringify(want)}`);
      assert(got.filter((f) => JSON.stringify(f) === '[0]').length === acting.filter((s) => s.selectors.frame_path?.length).length, `framed steps without a frame: ${JSON.stringify(got)}`);
      assert(rec.steps.every((s) => s.type === 'click' || s.type === 'change' || !('frame' in s)), 'a frame on a step that is not a click or a change');
    }, { needs: [iframeRecorded] });

    await suite.test('iframe-shell: walk on v1 as a member, every step found by its selector in its frame', async () => {
      await approve(state.workflows['iframe-shell']);
      app.setVersion(1);
      const seen = await walk(iframe, 1, { 1: 'same-origin-frame', 6: 'cross-origin-frame' });
      seen.forEach((s, k) => assert(s.found === 'found' && s.method === 'success', `v1 step ${k + 1} was ${s.found}/${s.method}, not found by its selector`));
    }, { needs: [iframeRecorded] });

    await suite.test('iframe-shell: walk on v2 (frames and screens redesigned): each step healed or asked, to the end', async () => {
      app.setVersion(2);
      try {
        const seen = await walk(iframe, 2, { 2: 'same-origin-frame', 7: 'cross-origin-frame' });
        assert(seen.some((s) => s.method !== 'success'), 'no step needed healing on v2');
      } finally {
        app.setVersion(1);
      }
    }, { needs: ['iframe-shell: walk on v1 as a member, every step found by its selector in its frame'] });
  }

  if (!ONLY || ONLY.has('shadow-components')) {
    await suite.test(shadowRecorded, async () => {
      const detail = await record(shadow);
      const steps = detail.steps;
      assert(steps.length === 6, `6 steps expected, got ${steps.length}: ${steps.map((s) => s.action_type)}`);
      const types = steps.map((s) => s.action_type).join(',');
      assert(types === 'input_commit,input_commit,select_change,input_commit,click,click', `action types ${types}`);
      steps.forEach((s, k) => {
        const chain = s.selectors.shadow_chain;
        assert(Array.isArray(chain) && chain.length === 4, `step ${k + 1} shadow_chain ${JSON.stringify(chain)}`);
        assert(!s.selectors.frame_path?.length, `step ${k + 1} has a frame_path`);
        assert(s.selectors.in_closed_shadow === (k === 5), `step ${k + 1} in_closed_shadow ${s.selectors.in_closed_shadow}`);
      });
      assert(steps[0].action_data?.input_value === 'PO-88217', `customer reference ${JSON.stringify(steps[0].action_data)}`);
      assert(steps[2].action_data?.input_value === 'Express (1–2 days)', `shipping ${JSON.stringify(steps[2].action_data)}`);
      assert(steps[5].element_meta.tag_name === 'BUTTON' && /Place order/.test(steps[5].element_meta.inner_text ?? ''), `the click in the closed root is recorded on its button: ${JSON.stringify(steps[5].element_meta)}`);
    }, { needs: ['setup: admin and member accounts'] });

    await suite.test('shadow-components: the Playwright export runs on v1, the closed root’s button clicked through its host', async () => {
      app.setVersion(1);
      const { page, src } = await runPlaywrightExport(state.workflows['shadow-components']);
      try {
        assert(src.includes('Playwright cannot enter closed shadow roots') && !src.includes('pierce/'), `the export:\n${src}`);
        const got = {
          reference: await page.locator('sw-text-field input').inputValue(),
          shipping: await page.locator('sw-select select').inputValue(),
          coupon: await page.locator('coupon-box .msg').textContent(),
          toast: await page.locator('#toast').textContent(),
        };
        const want = { reference: 'PO-88217', shipping: 'express', coupon: 'WINTER10 applied: −10 %', toast: 'Order SO-20931 placed.' };
        assert(JSON.stringify(got) === JSON.stringify(want), `after the export ran: ${JSON.stringify(got)}`);
      } finally {
        await page.close();
      }
    }, { needs: [shadowRecorded] });

    await suite.test('shadow-components: walk on v1 as a member, every step found by its selector (open and closed roots)', async () => {
      await approve(state.workflows['shadow-components']);
      app.setVersion(1);
      const seen = await walk(shadow, 1, { 0: 'nested-open-roots', 5: 'closed-root' });
      seen.forEach((s, k) => assert(s.found === 'found' && s.method === 'success', `v1 step ${k + 1} was ${s.found}/${s.method}, not found by its selector`));
    }, { needs: [shadowRecorded] });

    await suite.test('shadow-components: walk on v2 (design system upgraded, coupon box closed): each step healed or asked, to the end', async () => {
      app.setVersion(2);
      try {
        const seen = await walk(shadow, 2, { 3: 'closed-root', 5: 'closed-root' });
        assert(seen.some((s) => s.method !== 'success'), 'no step needed healing on v2');
      } finally {
        app.setVersion(1);
      }
    }, { needs: ['shadow-components: walk on v1 as a member, every step found by its selector (open and closed roots)'] });
  }
} finally {
  await context.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-frames-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-frames-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
