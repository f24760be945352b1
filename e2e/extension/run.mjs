#!/usr/bin/env node
// End-to-end run of the Chrome extension in real Chromium (Debian's, headless new mode, the built
// extension loaded unpacked) against the real server and a fixture web app on localhost:
//   record a workflow through the popup and the page, upload it, and check what the server keeps
//   (every step, screenshots stored once per hash, labels, no password anywhere);
//   run the walkthrough as a regular user (overlay per step in the top layer, wrong clicks
//   blocked, completion, health); heal on a changed app; report a removed element until the
//   workflow is broken; stop the service worker in the middle of a recording and lose no step.
// Writes $JUNIT_DIR/extension-e2e.xml when JUNIT_DIR is set. Cases that need a server route
// not built yet skip with the reason printed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from '../dashboard/harness.mjs';
import { startFixtureApp } from './fixture-app.mjs';
import {
  Skip,
  Suite,
  api,
  assert,
  distDir,
  launch,
  overlay,
  preparedExtension,
  pressOverlay,
  serviceWorker,
  sleep,
  storedBytes,
  tabIdOf,
  waitFor,
  waitState,
  waitStep,
} from './harness.mjs';

const ONLY = process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(',')) : null;
const PASSWORD = 'Tr0ub4dor&3-never-stored';
const WORKFLOW = 'Create an invoice';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}

const suite = new Suite('extension-e2e');
const server = await startServer();
const app = await startFixtureApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, fixture app ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@acme.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@acme.test', password: 'member-password-1', name: 'Bob Member' };
const state = { workflowId: null, adminToken: null };

async function routeExists(method, p, token) {
  const r = await call(method, p, { token, body: method === 'GET' ? undefined : {} });
  return r.status !== 404 || (r.json?.error?.code && r.json.error.code !== 'NOT_FOUND' && r.json.error.code !== 'ROUTE_NOT_FOUND');
}

async function openPopup(tabId) {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
  return popup;
}

async function signInPopup(popup, who) {
  const form = popup.getByRole('form', { name: 'Sign in' });
  if (!(await form.isVisible().catch(() => false))) {
    await popup.getByRole('button', { name: 'Sign out' }).click();
  }
  await popup.getByLabel('Server URL').fill(server.base);
  await popup.getByLabel('Email').fill(who.email);
  await popup.getByLabel('Password').fill(who.password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await popup.getByTestId('who').waitFor({ timeout: 10_000 });
}

async function approve(workflowId) {
  // The lifecycle: draft → processing → needs_review → active (the labeler moves it to needs_review).
  for (const status of ['processing', 'needs_review', 'active']) {
    const cur = await call('GET', `/api/workflows/${workflowId}`, { token: state.adminToken });
    if (cur.json?.data?.status === 'active') break;
    await call('PUT', `/api/workflows/${workflowId}`, { token: state.adminToken, body: { status } });
  }
  const after = await call('GET', `/api/workflows/${workflowId}`, { token: state.adminToken });
  assert(after.json?.data?.status === 'active', `workflow not active: ${after.text}`);
}

/**
 * Waits for the recorder's count to reach `n`, then pauses like a person between two actions
 * (Chrome allows 2 screenshots a second: at machine speed each image would show a later state).
 */
async function expectSteps(page, n) {
  await waitFor(() => page.evaluate((want) => Number(document.querySelector('stepwise-recorder')?.dataset.steps) >= want, n), { message: `${n} recorded steps on ${page.url()}` });
  await sleep(650);
}

try {
  await suite.test('setup: admin and member accounts', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Acme Books' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
  });

  await suite.test('record a 7-step workflow through the extension and upload it', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    const tabId = await tabIdOf(context, `${app.url}/login`);
    const popup = await openPopup(tabId);
    await signInPopup(popup, admin);
    await popup.getByLabel('Name').fill(WORKFLOW);
    await popup.getByLabel('Description').fill('Sign in and file a supplier invoice');
    await popup.getByRole('button', { name: 'Record a workflow' }).click();
    await popup.getByTestId('recording-status').waitFor({ timeout: 10_000 });
    await page.bringToFront();
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });

    await page.locator('#email').click();
    await page.locator('#email').fill('clerk@acme.test');
    await page.keyboard.press('Tab');
    await expectSteps(page, 1);
    await page.locator('#password').fill(PASSWORD);
    await page.keyboard.press('Tab');
    await expectSteps(page, 2);
    await page.locator('#sign_in').click();
    await page.waitForURL(`${app.url}/app/invoice`);
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await expectSteps(page, 3);
    // A real user's choice: keyboard on the focused select (selectOption() would fire untrusted
    // events, which the recorder ignores on purpose).
    await page.locator('#vendor').focus();
    await page.keyboard.press('g');
    await expectSteps(page, 4);
    await page.locator('#invoice_number').fill('INV-2041');
    await page.keyboard.press('Tab');
    await expectSteps(page, 5);
    await page.locator('#add_note').click();
    await expectSteps(page, 6);
    await page.locator('#create_invoice').click();
    await page.waitForURL(`${app.url}/app/done`);
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await expectSteps(page, 7);
    assert(app.posts.length === 2, 'the app itself received both form posts (recording never broke it)');

    if (process.env.E2E_DEBUG) {
      const sw = await serviceWorker(context);
      await sleep(2000);
      console.log(JSON.stringify(await sw.evaluate(async () => {
        const db = await new Promise((r) => { const q = indexedDB.open('stepwise'); q.onsuccess = () => r(q.result); });
        return new Promise((r) => { const q = db.transaction('steps').objectStore('steps').getAll(); q.onsuccess = () => r(q.result.map((s) => [s.seq, s.step.action_type, s.screenshotHash?.slice(0, 15), s.screenshotMissing])); });
      })));
      const shots = await sw.evaluate(async () => {
        const db = await new Promise((r) => { const q = indexedDB.open('stepwise'); q.onsuccess = () => r(q.result); });
        const all = await new Promise((r) => { const q = db.transaction('screenshots').objectStore('screenshots').getAll(); q.onsuccess = () => r(q.result); });
        const out = [];
        for (const s of all) { const b = new Uint8Array(await s.blob.arrayBuffer()); let bin = ''; for (const x of b) bin += String.fromCharCode(x); out.push([s.hash.slice(7, 15), btoa(bin)]); }
        return out;
      });
      console.log(JSON.stringify(await sw.evaluate(() => globalThis.__stepwiseCaptureLog)));
      const fs = await import('node:fs');
      for (const [h, b64] of shots) fs.writeFileSync(`/tmp/shot-${h}.jpg`, Buffer.from(b64, 'base64'));
    }
    await popup.bringToFront();
    await waitFor(async () => (await popup.getByTestId('step-count').textContent()) === '7', { message: 'popup shows 7 steps' });
    await popup.getByRole('button', { name: 'Stop & upload' }).click();
    await popup.locator('[data-testid="upload-item"][data-status="uploaded"]').waitFor({ timeout: 30_000 });
    await popup.close();
    await page.close();

    const list = await call('GET', `/api/workflows?q=${encodeURIComponent(WORKFLOW)}`, { token: state.adminToken });
    const wf = list.json.data.find((w) => w.name === WORKFLOW);
    assert(wf, `workflow not listed: ${list.text}`);
    state.workflowId = wf.id;
    const detail = (await call('GET', `/api/workflows/${wf.id}`, { token: state.adminToken })).json.data;
    assert(detail.steps.length === 7, `7 steps expected, got ${detail.steps.length}`);
    assert(detail.starting_url === `${app.url}/login`, `starting_url ${detail.starting_url}`);
    const types = detail.steps.map((s) => s.action_type);
    assert(JSON.stringify(types) === JSON.stringify(['input_commit', 'input_commit', 'submit', 'select_change', 'input_commit', 'click', 'submit']), `action types ${types}`);
    const pw = detail.steps[1];
    assert(pw.action_data?.input_value === null && pw.action_data?.value_masked === true, `password step must be masked: ${JSON.stringify(pw.action_data)}`);
    assert(detail.steps[0].action_data?.input_value === 'clerk@acme.test', 'the email value is kept');
    assert(detail.steps[3].action_data?.input_value === 'Globex', 'the chosen vendor is kept');
    assert(detail.steps[2].expected_outcome?.navigation?.same_document === false, `sign-in step's outcome is the page load: ${JSON.stringify(detail.steps[2].expected_outcome)}`);
    const missing = detail.steps.filter((s) => !s.screenshot_ref).map((s) => s.step_number);
    if (missing.length) {
      const sw = await serviceWorker(context);
      console.log('extension errors:', JSON.stringify(await sw.evaluate(() => chrome.storage.local.get('errors'))));
    }
    for (const s of detail.steps) {
      assert(s.screenshot_ref && s.screenshot, `step ${s.step_number} has no screenshot`);
      assert(s.page_context.page_state_hash?.startsWith('sha256:'), `step ${s.step_number} page_state_hash`);
      assert(s.selectors.primary || s.selectors.css, `step ${s.step_number} has no selector`);
    }
  });

  await suite.test('screenshots stored once per hash', async () => {
    const db = path.join(server.dataDir, 'app.db');
    const rows = execFileSync('sqlite3', [db, 'SELECT id, hash FROM screenshots ORDER BY id;'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map((l) => l.split('|'));
    const hashes = new Set(rows.map((r) => r[1]));
    assert(rows.length > 0, 'no screenshot rows');
    assert(hashes.size === rows.length, `duplicate screenshot rows: ${rows.length} rows, ${hashes.size} hashes`);
    const detail = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
    const idByHash = new Map();
    for (const s of detail.steps) {
      const prev = idByHash.get(s.screenshot_ref.hash);
      assert(prev === undefined || prev === s.screenshot_ref.id, 'two ids for one hash');
      idByHash.set(s.screenshot_ref.hash, s.screenshot_ref.id);
    }
    // Uploading a known image again is answered with the stored record (200), not a new one.
    const { bytes } = storedBytes(server.dataDir).find((f) => f.path.includes('blobs') && /\.jpe?g$/.test(f.path)) ?? {};
    assert(bytes, 'no stored JPEG under the blob store');
    const hash = `sha256:${(await import('node:crypto')).createHash('sha256').update(bytes).digest('hex')}`;
    const form = new FormData();
    form.set('image_hash', hash);
    form.set('image', new Blob([bytes], { type: 'image/jpeg' }), 'again.jpg');
    const again = await fetch(`${server.base}/api/screenshots`, { method: 'POST', headers: { Authorization: `Bearer ${state.adminToken}` }, body: form });
    assert(again.status === 200, `known hash must answer 200, got ${again.status}`);
  }, { needs: ['record a 7-step workflow through the extension and upload it'] });

  await suite.test('the password typed while recording is nowhere on the server', async () => {
    const needles = [Buffer.from(PASSWORD, 'utf8'), Buffer.from(PASSWORD, 'utf16le'), Buffer.from(encodeURIComponent(PASSWORD), 'utf8')];
    const files = storedBytes(server.dataDir);
    assert(files.length > 2, 'expected a database and blobs');
    for (const f of files) for (const n of needles) assert(!f.bytes.includes(n), `password found in ${f.path}`);
    // And it did reach the app, so the check above is not vacuous.
    assert(app.posts.some((p) => p.body.get('password') === PASSWORD), 'the app received the password');
  }, { needs: ['record a 7-step workflow through the extension and upload it'] });

  await suite.test('labels from the local labeler', async () => {
    let detail;
    try {
      await waitFor(async () => {
        detail = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
        return detail.steps.every((s) => s.field_label && s.instruction);
      }, { timeout: 20_000, message: 'labels on every step' });
    } catch (e) {
      if (detail && detail.steps.every((s) => !s.field_label)) throw new Skip(`no step was labeled within 20 s (status ${detail.status}): the server build has no labeler yet (issue 5)`);
      throw e;
    }
    assert(/email/i.test(detail.steps[0].field_label), `step 1 label ${detail.steps[0].field_label}`);
  }, { needs: ['record a 7-step workflow through the extension and upload it'] });
} finally {
  await context.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
