#!/usr/bin/env node
// End-to-end run of the Chrome extension in real Chromium (Debian's, headless new mode, the built
// extension loaded unpacked) against the real server and a fixture web app on localhost:
//   record a workflow through the popup and the page, upload it, and check what the server keeps
//   (every step, screenshots stored once per hash, labels, no password anywhere);
//   run the walkthrough as a regular user (overlay per step in the top layer, wrong clicks
//   blocked, completion, health); heal on a changed app; a removed element's "Can't find" card
//   (Skip goes on, "Report it to my admin" checked for a colleague and not for the admin) reported
//   until the workflow is broken; stop the service worker in the middle of a recording and lose no step,
//   then lose the upload's createWorkflow answer and stop the worker: the retry, under the same
//   Idempotency-Key, makes no second workflow.
// Screenshot of the "Can't find" card: build/e2e-screenshots/extension/cant-find-card.png.
// Writes $JUNIT_DIR/extension-e2e.xml when JUNIT_DIR is set. Every server route used here exists:
// a 404 or 405 from one is a failure, not a skip.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from '../dashboard/harness.mjs';
import { startFixtureApp } from './fixture-app.mjs';
import { flows } from './flows.mjs';
import {
  Suite,
  api,
  assert,
  distDir,
  launch,
  overlay,
  preparedExtension,
  pressOverlay,
  repoRoot,
  serviceWorker,
  sleep,
  storedBytes,
  tabIdOf,
  toggleOverlayOption,
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

const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/extension');
mkdirSync(SHOTS, { recursive: true });
const suite = new Suite('extension-e2e');
const server = await startServer();
const app = await startFixtureApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, fixture app ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@acme.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@acme.test', password: 'member-password-1', name: 'Bob Member' };
const state = { workflowId: null, adminToken: null };

/** Fails the case at once, naming the route, when the server answers as if it had no such route (404, 405). */
async function requireRoute(method, p, what) {
  const r = await call(method, p, { token: state.adminToken, body: method === 'GET' ? undefined : {} });
  const route = `${method} ${p.replace(/\/\d+/g, '/{id}')}`;
  assert(r.status !== 404 || /WORKFLOW_NOT_FOUND/.test(r.text), `${route} answers 404 (${r.json?.error?.code ?? 'no body'}): ${what} is a route the server has`);
  assert(r.status !== 405, `${route} answers 405: ${what} is a route the server has`);
}

const { openPopup, signInPopup, approve, expectSteps } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

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
    await popup.locator('[data-testid="upload-item"][data-status="uploaded"]', { hasText: WORKFLOW }).waitFor({ timeout: 30_000 });
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
    await waitFor(async () => {
      detail = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
      return detail.steps.every((s) => s.field_label && s.instruction);
    }, { timeout: 20_000, message: 'labels on every step' });
    assert(/email/i.test(detail.steps[0].field_label), `step 1 label ${detail.steps[0].field_label}`);
  }, { needs: ['record a 7-step workflow through the extension and upload it'] });

  /** Starts the guide from the popup as `who` (the member), from a page that is not the starting URL. */
  async function startGuide(page, who = member) {
    await page.goto(`${app.url}/help`);
    const tabId = await tabIdOf(context, `${app.url}/help`);
    const popup = await openPopup(tabId);
    const form = popup.getByRole('form', { name: 'Sign in' });
    await form.or(popup.getByTestId('who')).first().waitFor({ timeout: 10_000 });
    if (!((await popup.getByTestId('who').textContent().catch(() => '')) ?? '').includes(who.name)) await signInPopup(popup, who);
    await popup.getByRole('button', { name: `Start ${WORKFLOW}` }).click({ timeout: 15_000 }).catch(async (e) => {
      const wf = state.workflowId ? (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json?.data : null;
      throw new Error(`${e.message.split('\n')[0]}; the popup shows: ${(await popup.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 600)}; the workflow is ${wf?.status}`);
    });
    await popup.close().catch(() => {});
    await page.bringToFront();
    await page.waitForURL(`${app.url}/login`, { timeout: 15_000 });
  }

  /** Checks the overlay is drawn in the top layer and nothing of the page covers its tooltip. */
  async function checkOnTop(page, o) {
    assert(o.popover === 'manual', 'the overlay is a popover (top layer)');
    const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.localName, { x: o.tip.x + o.tip.width / 2, y: o.tip.y + o.tip.height / 2 });
    assert(hit === 'stepwise-guide', `the tooltip is covered by <${hit}>`);
  }

  /** Fills a field like a person and commits it with Tab. */
  async function type(page, selector, value) {
    await page.locator(selector).fill(value);
    await page.keyboard.press('Tab');
  }

  await suite.test('walkthrough as a regular user: overlay per step, wrong clicks blocked, completes', async () => {
    await approve(state.workflowId);
    const page = await context.newPage();
    await startGuide(page);

    let o = await waitStep(page, 0);
    assert(o.count === 'Step 1 of 7', `count ${o.count}`);
    assert(/email/i.test(o.title), `title ${o.title}`);
    await checkOnTop(page, o);
    // A wrong click: the link is not followed, the user is told.
    await page.locator('#help_link').click();
    await sleep(400);
    assert(page.url() === `${app.url}/login`, `the wrong click navigated to ${page.url()}`);
    o = await overlay(page);
    assert(/not the highlighted/.test(o.hint), `hint after a wrong click: ${o.hint}`);
    assert(o.step === 0 && o.state === 'step', 'still on step 1');

    await type(page, '#email', 'bob@acme.test');
    o = await waitStep(page, 1);
    await checkOnTop(page, o);
    await type(page, '#password', 'whatever-secret');
    o = await waitStep(page, 2);
    await page.locator('#sign_in').click();
    o = await waitStep(page, 3); // resumed on the next page
    assert(page.url() === `${app.url}/app/invoice`, `on ${page.url()}`);
    assert(o.count === 'Step 4 of 7', `count ${o.count}`);
    await checkOnTop(page, o);
    await page.locator('#vendor').focus();
    await page.keyboard.press('i');
    o = await waitStep(page, 4);
    await type(page, '#invoice_number', 'INV-9');
    o = await waitStep(page, 5);
    // A wrong click on the page's own content: its click handler never sees it.
    await page.locator('h1').click();
    await sleep(300);
    assert((await page.evaluate(() => window.__pageClicks)) === 0, 'the page saw the blocked click');
    await checkOnTop(page, await overlay(page));
    await page.locator('#add_note').click();
    o = await waitStep(page, 6);
    await checkOnTop(page, o);
    await page.locator('#create_invoice').click();
    o = await waitState(page, 'done');
    assert(o.title === 'All done!', `completion title ${o.title}`);
    await checkOnTop(page, o);
    assert(page.url() === `${app.url}/app/done`, `ended on ${page.url()}`);

    await pressOverlay(page, 'Close');
    await waitFor(() => page.evaluate(() => document.querySelector('stepwise-guide') === null), { message: 'overlay removed after Close' });
    await page.close();
  }, { needs: ['record a 7-step workflow through the extension and upload it'] });

  await suite.test('health records the successful run', async () => {
    await requireRoute('POST', `/api/workflows/${state.workflowId}/health-logs`, 'health reporting (issue 6)');
    await waitFor(async () => {
      const w = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
      return w.total_uses >= 1 && w.last_successful_run !== null && w.consecutive_failures === 0;
    }, { message: 'a successful run in the workflow health' });
  }, { needs: ['walkthrough as a regular user: overlay per step, wrong clicks blocked, completes'] });

  const V2 = {
    email: 'input[name=email]',
    password: 'input[name=password]',
    signIn: 'form button[type=submit]',
    vendor: 'select[name=vendor]',
    number: 'input[name=invoice_number]',
    note: 'button:has-text("Add note")',
    create: 'button:has-text("Create invoice")',
  };

  await suite.test('v2 of the app (ids, classes, labels changed): the steps heal and the run completes', async () => {
    app.setVersion(2);
    const page = await context.newPage();
    await startGuide(page);
    const methods = [];
    const steps = [
      async () => type(page, V2.email, 'bob@acme.test'),
      async () => type(page, V2.password, 'whatever-secret'),
      async () => page.locator(V2.signIn).click(),
      async () => {
        await page.locator(V2.vendor).focus();
        await page.keyboard.press('a');
      },
      async () => type(page, V2.number, 'INV-10'),
      async () => page.locator(V2.note).click(),
      async () => page.locator(V2.create).click(),
    ];
    for (let i = 0; i < steps.length; i++) {
      const o = await waitStep(page, i, 25_000);
      methods.push(await page.evaluate(() => document.querySelector('stepwise-guide').dataset.method));
      await checkOnTop(page, o);
      await steps[i]();
    }
    const o = await waitState(page, 'done');
    assert(o.title === 'All done!', `completion ${o.title}`);
    console.log(`  v2 step methods: ${methods.join(', ')}`);
    assert(methods.some((m) => m.startsWith('healed')), `no step needed healing on v2: ${methods}`);
    state.v2Methods = methods;
    await pressOverlay(page, 'Close');
    await page.close();
  }, { needs: ['walkthrough as a regular user: overlay per step, wrong clicks blocked, completes'] });

  await suite.test("v2: the member's heals are variants beside the recorded selectors, his own until confirmed", async () => {
    const detail = await waitFor(async () => {
      const d = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
      return d.steps.some((s) => (s.selector_variants ?? []).length > 1) ? d : null;
    }, { message: 'a step with a healed variant' });
    for (const s of detail.steps) {
      const [recorded, ...healed] = s.selector_variants;
      assert(recorded.source === 'recorded' && JSON.stringify(recorded.selectors) === JSON.stringify(s.selectors), `step ${s.step_number}: the recorded selectors come first, unchanged`);
      for (const v of healed) {
        assert(v.status === 'pending', `step ${s.step_number}: a regular user's heal is ${v.status}`);
        assert(v.votes.length === 1 && v.votes[0].user_name === member.name && v.votes[0].how === 'acted', `step ${s.step_number}: his action on it is his vote: ${JSON.stringify(v.votes)}`);
      }
    }
  }, { needs: ['v2 of the app (ids, classes, labels changed): the steps heal and the run completes'] });

  /** v3 up to step 6, whose button is gone: the "Can't find" card, as `who` sees it. */
  async function walkToMissingNote(page, who, run) {
    await startGuide(page, who);
    await waitStep(page, 0, 25_000);
    await type(page, V2.email, 'bob@acme.test');
    await waitStep(page, 1, 25_000);
    await type(page, V2.password, 'whatever-secret');
    await waitStep(page, 2, 25_000);
    await page.locator(V2.signIn).click();
    await waitStep(page, 3, 25_000);
    await page.locator(V2.vendor).focus();
    await page.keyboard.press('g');
    await waitStep(page, 4, 25_000);
    await type(page, V2.number, `INV-3${run}`);
    const o = await waitState(page, 'not-found', 30_000);
    assert(o.title === 'Can’t find this element', `title ${o.title}`);
    assert(o.buttons.map((b) => b.label).join(',') === 'Skip,Exit', `buttons ${o.buttons.map((b) => b.label)}`);
    assert(o.buttons.filter((b) => b.primary).map((b) => b.label).join() === 'Skip', `the primary button is Skip: ${JSON.stringify(o.buttons.map((b) => [b.label, b.primary]))}`);
    assert(o.option?.label === 'Report it to my admin', `the card's checkbox: ${JSON.stringify(o.option)}`);
    await checkOnTop(page, o);
    return o;
  }

  /** Skip on the card: the run goes on to step 7, which the user does; returns the end card. */
  async function skipToEnd(page) {
    await pressOverlay(page, 'Skip');
    await waitStep(page, 6, 25_000);
    await page.locator(V2.create).click();
    return waitState(page, 'done');
  }

  const health = async () => (await call('GET', `/api/workflows/${state.workflowId}/health`, { token: state.adminToken })).json?.data;

  await suite.test('v3 as the admin: "Report it to my admin" starts unchecked; Skip goes on and counts no failure', async () => {
    app.setVersion(3);
    const before = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
    const page = await context.newPage();
    const o = await walkToMissingNote(page, admin, 0);
    assert(o.option.checked === false, 'an admin is not asked to report to themselves: the box starts unchecked');
    const end = await skipToEnd(page);
    assert(end.title === 'Done — 1 step skipped', `end card ${end.title}`);
    assert(!/admin has been told/.test(end.body), `nothing was reported: ${end.body}`);
    await pressOverlay(page, 'Close');
    await page.close();
    const h = await waitFor(async () => {
      const got = await health();
      return got?.recent_runs?.some((r) => r.status === 'completed_with_skips') ? got : null;
    }, { message: "the admin's run in the health page" });
    const run = h.recent_runs.find((r) => r.status === 'completed_with_skips');
    assert(run.error_type === null || run.error_type === undefined, `a plain skip, no error: ${JSON.stringify(run)}`);
    assert(h.workflow.consecutive_failures === before.consecutive_failures && h.workflow.status === 'active', `no failure counted: ${JSON.stringify(h.workflow)}`);
  }, { needs: ['v2 of the app (ids, classes, labels changed): the steps heal and the run completes'] });

  await suite.test('v3 (the "Add note" button removed): "Can\'t find" with Skip first and the report box checked for a colleague; 3 runs reported', async () => {
    app.setVersion(3);
    for (let run = 1; run <= 3; run++) {
      const page = await context.newPage();
      const o = await walkToMissingNote(page, member, run);
      assert(o.option.checked === true, 'for a colleague the box starts checked');
      if (run === 1) {
        await page.screenshot({ path: path.join(SHOTS, 'cant-find-card.png') });
        // Unchecked and checked again: what Skip sends follows the box.
        await toggleOverlayOption(page);
        assert((await overlay(page)).option.checked === false, 'the box unchecks');
        await toggleOverlayOption(page);
        assert((await overlay(page)).option.checked === true, 'the box checks again');
      }
      if (run < 3) {
        // Skip, reported: the run goes on to the end, which says the admin was told.
        const end = await skipToEnd(page);
        assert(end.title === 'Done — 1 step skipped', `end card ${end.title}`);
        assert(/Your admin has been told/.test(end.body), `the end card says the report went: ${end.body}`);
      } else {
        // Exit with the box checked: the walk ends, reported (as the Report button used to).
        await pressOverlay(page, 'Exit');
        const end = await waitState(page, 'finished');
        assert(/your report was sent to your admin/.test(end.body), `end card ${end.title}: ${end.body}`);
      }
      await pressOverlay(page, 'Close');
      await page.close();
    }
    const h = await waitFor(async () => {
      const got = await health();
      return got?.recent_runs?.filter((r) => r.error_type === 'element_not_found').length >= 3 ? got : null;
    }, { message: 'three reported runs in the health page' });
    const reported = h.recent_runs.filter((r) => r.error_type === 'element_not_found').map((r) => r.status).sort();
    assert(reported.join() === 'completed_with_skips,completed_with_skips,failed', `two reported skips and one reported exit: ${JSON.stringify(h.recent_runs)}`);
    // The step failed three times: the colleague's reports, not the admin's plain skip.
    const step6 = h.failing_steps.find((f) => f.step_number === 6);
    assert(step6?.failures === 3 && step6.error_types.element_not_found === 3, `step 6 in the failing steps: ${JSON.stringify(h.failing_steps)}`);
  }, { needs: ['walkthrough as a regular user: overlay per step, wrong clicks blocked, completes'] });

  await suite.test('v3: after 3 failed runs the workflow is broken and the admin has a notification', async () => {
    await requireRoute('POST', `/api/workflows/${state.workflowId}/health-logs`, 'health reporting (issue 6)');
    await waitFor(async () => (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data.status === 'broken', { message: 'workflow broken after 3 failed runs' });
    await requireRoute('GET', '/api/notifications', 'notifications (issue 6)');
    const notes = await call('GET', '/api/notifications', { token: state.adminToken });
    assert(notes.json.data.some((n) => n.type === 'workflow_broken'), `no workflow_broken notification: ${notes.text.slice(0, 500)}`);
  }, { needs: ['v3 (the "Add note" button removed): "Can\'t find" with Skip first and the report box checked for a colleague; 3 runs reported'] });

  await suite.test('service worker stopped in the middle of a recording (CDP): no step lost; a lost upload answer retried under its Idempotency-Key: one workflow', async () => {
    app.setVersion(1);
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    const tabId = await tabIdOf(context, `${app.url}/login`);
    const popup = await openPopup(tabId);
    await signInPopup(popup, admin);
    await popup.getByLabel('Name').fill('Restart-proof recording');
    await popup.getByRole('button', { name: 'Record a workflow' }).click();
    await popup.getByTestId('recording-status').waitFor({ timeout: 10_000 });
    await popup.close();
    await page.bringToFront();
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });

    let stops = 0;
    // ServiceWorker.stopWorker through a DevTools session on one of the extension's own pages
    // (that session sees the extension's worker); the 'stopped' status event confirms it.
    const extPage = await context.newPage();
    await extPage.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
    const cdp = await context.newCDPSession(extPage);
    const versions = new Map();
    let stoppedEvents = 0;
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) {
        if (v.runningStatus === 'stopped' && versions.get(v.versionId)?.runningStatus !== 'stopped') stoppedEvents++;
        versions.set(v.versionId, v);
      }
    });
    await cdp.send('ServiceWorker.enable');
    const stopWorker = async () => {
      const running = await waitFor(
        () => [...versions.values()].find((v) => v.scriptURL.startsWith(`chrome-extension://${extensionId}/`) && v.runningStatus === 'running'),
        { timeout: 5000, message: 'a running extension service worker' },
      );
      const seen = stoppedEvents;
      await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
      // It may start again at once (the page's next message wakes it): count the stop itself.
      await waitFor(() => stoppedEvents > seen, { timeout: 5000, message: 'the service worker to stop' });
      stops++;
    };
    await page.bringToFront();

    await type(page, '#email', 'clerk@acme.test');
    await expectSteps(page, 1);
    await stopWorker();
    await type(page, '#password', 'another-Secret-1');
    await expectSteps(page, 2);
    await page.locator('#sign_in').click();
    await stopWorker(); // right after the step was sent, its screenshot possibly in flight
    await page.waitForURL(`${app.url}/app/invoice`);
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await page.locator('#vendor').focus();
    await page.keyboard.press('g');
    await expectSteps(page, 4);
    await stopWorker();
    await type(page, '#invoice_number', 'INV-77');
    await expectSteps(page, 5);
    await page.locator('#add_note').click();
    await expectSteps(page, 6);
    await stopWorker();
    assert(stops === 4, 'four worker stops');

    // The first createWorkflow reaches the server (route.fetch) and its answer never reaches the
    // extension (the connection is reset); the worker is then stopped, so the retry comes from a
    // worker started again, with only what IndexedDB kept: the same key, the same bytes.
    const posts = [];
    const workflowsUrl = `${server.base}/api/workflows`;
    await context.route(workflowsUrl, async (route) => {
      const req = route.request();
      if (req.method() !== 'POST') return route.fallback();
      const res = await route.fetch();
      const sent = { key: (await req.allHeaders())['idempotency-key'] ?? null, body: req.postData(), status: res.status(), replayed: res.headers()['idempotency-replayed'] ?? null };
      if (posts.length === 0) await route.abort('connectionreset');
      else await route.fulfill({ response: res });
      posts.push(sent);
    });
    const popup2 = await openPopup(tabId);
    await waitFor(async () => (await popup2.getByTestId('step-count').textContent()) === '6', { message: 'popup shows 6 steps after the restarts' });
    await popup2.getByRole('button', { name: 'Stop & upload' }).click();
    await waitFor(() => posts.length === 1, { message: 'the first createWorkflow, its answer dropped' });
    await stopWorker();
    assert(posts.length === 1, 'the retry waits for its backoff: it comes from the restarted worker');
    await popup2.locator('[data-testid="upload-item"][data-status="uploaded"]', { hasText: 'Restart-proof recording' }).waitFor({ timeout: 30_000 });
    await context.unroute(workflowsUrl);
    await cdp.detach();
    await extPage.close();
    await popup2.close();
    await page.close();
    assert(posts.length === 2, `two createWorkflow requests, got ${posts.length}`);
    assert(posts[0].status === 201 && posts[0].replayed === null, `the first created the workflow: ${JSON.stringify(posts[0]).slice(0, 200)}`);
    assert(/^[0-9a-f-]{36}$/.test(posts[0].key ?? ''), `the first carried an Idempotency-Key: ${posts[0].key}`);
    assert(posts[1].key === posts[0].key, `the retry carried the same key: ${posts[1].key} vs ${posts[0].key}`);
    assert(posts[1].body === posts[0].body, 'the retry sent the same bytes');
    assert(posts[1].status === 201 && posts[1].replayed === 'true', `the server replayed the first answer: ${posts[1].status}, replayed ${posts[1].replayed}`);
    const list = await call('GET', `/api/workflows?q=${encodeURIComponent('Restart-proof')}&include_archived=true`, { token: state.adminToken });
    const named = list.json.data.filter((w) => w.name === 'Restart-proof recording');
    assert(list.json.data.length === 1 && named.length === 1, `exactly one workflow uploaded, got ${JSON.stringify(list.json.data.map((w) => [w.id, w.name]))}`);
    const detail = (await call('GET', `/api/workflows/${named[0].id}`, { token: state.adminToken })).json.data;
    const types = detail.steps.map((s) => s.action_type);
    assert(JSON.stringify(types) === JSON.stringify(['input_commit', 'input_commit', 'submit', 'select_change', 'input_commit', 'click']), `steps after restarts: ${types}`);
    assert(detail.steps.map((s) => s.step_number).join() === '1,2,3,4,5,6', 'numbered 1..6');
  }, { needs: ['setup: admin and member accounts'] });
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
