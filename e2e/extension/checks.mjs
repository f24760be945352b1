#!/usr/bin/env node
// Scheduled checks end to end (docs/checker.md): the real server, its real checker
// (packages/checker, found by the server next to the tree) in headless Chromium, the built
// extension and the dashboard in Debian's Chromium, and Brightwater Rota (checks-app.mjs), an app
// behind a sign-in. In order:
//   1. an admin records a 12-step workflow on four pages with the extension (nav links, a tab, a
//      disclosure, a form: text, select, textarea, checkbox, submit) and it is published;
//   2. the admin saves a session for checks from the popup (the app is behind its sign-in);
//   3. "Check now" on the health page: the filmstrip says Passed, 12 of 12 found;
//   4. the app's release breaks the recording (one link renamed and moved, one disclosure gone);
//      the schedule is turned on (every 15 min, a minute being CHECK_MINUTE_MS = 200 ms) and, with
//      no colleague ever running the workflow, the next scheduled check marks it At risk: the badge
//      in the list, a workflow_at_risk notification, total_uses still 0, the filmstrip showing the
//      moved link healed and the disclosure not found;
//   5. a colleague walks it: the healed step's element is found by the variant the check made — no
//      auto-heal request for it (every request of the extension's service worker is watched, and
//      at the end the server's access log must count as many auto-heal calls as were watched), its
//      health entry `success`;
//   6. the app forgets its sessions: the next check says session expired (and its notification),
//      not at risk;
//   7. the checker is killed (SIGKILL, by its pid, a child of this suite's server) in the middle of
//      a check of slow pages: the server restarts it and the run ends with attempts 2, passed;
//   8. a second server without CHECKS_ALLOW_PRIVATE refuses to check a workflow on 127.0.0.1,
//      saying so, and the app never sees a request.
// Screenshots: build/e2e-screenshots/checks/ (check-passed, check-settings, check-at-risk,
// check-history, session-expired). Writes $JUNIT_DIR/extension-checks-e2e.xml when JUNIT_DIR is set.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { serverServesDashboard, startServer, startStaticServer } from '../dashboard/harness.mjs';
import { startChecksApp } from './checks-app.mjs';
import { flows, userAct } from './flows.mjs';
import { Suite, api, assert, distDir, launch, overlay, preparedExtension, pressOverlay, repoRoot, tabIdOf, waitFor } from './harness.mjs';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}
if (!existsSync(path.join(repoRoot, 'packages/checker/dist/main.js'))) {
  console.error('packages/checker/dist/main.js is not built: run npm run build -w packages/checker');
  process.exit(1);
}

const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/checks');
mkdirSync(SHOTS, { recursive: true });
const WORKFLOW = 'Plan an evening shift';
const MINUTE_MS = 200;

/** Starts a server with `env` added to (or, for undefined, removed from) this process's environment. */
async function serverWith(env) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await startServer();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const suite = new Suite('extension-checks-e2e');
const server = await serverWith({ CHECKS_ALLOW_PRIVATE: 'true', CHECK_MINUTE_MS: String(MINUTE_MS), CHECK_TIMEOUT_MS: '90000', CHECKS_CONCURRENCY: '2', ACCESS_LOG: 'true', CHECKER_COMMAND: undefined });
const dashboard = (await serverServesDashboard(server.base)) ? null : await startStaticServer(server.base);
const dashBase = dashboard?.base ?? server.base;
const app = await startChecksApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, dashboard ${dashBase}, Brightwater Rota ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@brightwater.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'cal@brightwater.test', password: 'member-password-1', name: 'Cal Colleague' };
const state = { adminToken: null, workflowId: null, steps: [], appPage: null, dash: null, scheduledRun: null };
/** Every check run this suite waited for: how long the checker took (the filmstrip's duration_ms). */
const timings = [];
const { approve, expectSteps, openPopup, signInPopup, startGuide, startRecording, stopAndUpload } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

/**
 * The workflow, as recorded on the original app and as it is found on the changed one: per step
 * the element (CSS, for this test only), what the admin does, and where the page goes.
 * `changed: null`: the release removed it.
 */
const STEPS = [
  { name: 'Shifts in the main nav', action: 'click', original: 'header nav a[href="/shifts"]', goes: '/shifts' },
  { name: 'the Next week tab', action: 'click', original: '#tab-next' },
  { name: 'the Filters disclosure', action: 'click', original: '#filters > summary', changed: null },
  { name: 'the New shift link', action: 'click', original: '#new-shift', changed: '#new-shift-link', goes: '/shifts/new' },
  { name: 'Title', action: 'input', value: 'Evening bar', original: '#shift-title' },
  { name: 'Site', action: 'select', value: 'Harbour kitchen', original: '#shift-site' },
  { name: 'Starts at', action: 'input', value: '18:30', original: '#shift-start' },
  { name: 'Notes for the team', action: 'input', value: 'Bring the float from the safe', original: '#shift-notes' },
  { name: 'Leave it open', action: 'click', original: '#shift-open' },
  { name: 'Create shift', action: 'click', original: '#create-shift', goes: '/shifts' },
  { name: 'Team in the main nav', action: 'click', original: 'header nav a[href="/team"]', goes: '/team' },
  { name: 'Tobias Quinn', action: 'click', original: 'a[href="/team/2"]', goes: '/team/2' },
];
const HEALED = 3; // index of the step the release moved
const REMOVED = 2; // index of the step the release removed
const selectorIn = (s, version) => (version === 'changed' && 'changed' in s ? s.changed : s.original);

async function fixture(what) {
  const res = await fetch(`${app.url}/__fixture/${what}`, { method: 'POST' });
  const text = await res.text();
  assert(res.ok, `fixture switch ${what}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const adminCall = (method, p, body) => call(method, p, { token: state.adminToken, body });
async function detail() {
  const res = await adminCall('GET', `/api/workflows/${state.workflowId}`);
  assert(res.status === 200, `GET /api/workflows/${state.workflowId}: ${res.status} ${res.text}`);
  return res.json.data;
}

/** Polls the run until it has finished; records its duration. */
async function finishedRun(runId, label, timeout = 120_000) {
  let run;
  await waitFor(
    async () => {
      const res = await adminCall('GET', `/api/check-runs/${runId}`);
      assert(res.status === 200, `GET /api/check-runs/${runId}: ${res.status} ${res.text}`);
      run = res.json.data;
      return run.state === 'finished';
    },
    { timeout, interval: 250, message: `check run ${runId} (${label}) to finish` },
  );
  timings.push({ label, id: run.id, trigger: run.trigger, status: run.status, attempts: run.attempts, duration_ms: run.duration_ms });
  console.log(`  run ${run.id} (${label}): ${run.status}, ${run.steps_found} found, ${run.steps_healed} healed, ${run.steps_missing} missing, attempts ${run.attempts}, ${run.duration_ms} ms — ${run.message ?? ''}`);
  return run;
}

async function notes(type) {
  const res = await adminCall('GET', '/api/notifications?limit=200');
  assert(res.status === 200, `GET /api/notifications: ${res.status} ${res.text}`);
  return res.json.data.filter((n) => n.workflow_id === state.workflowId && n.type === type);
}

function sql(query) {
  return execFileSync('sqlite3', [path.join(server.dataDir, 'app.db'), query], { encoding: 'utf8' }).trim();
}

/** Presses "Save a session for checks" in the popup of the app's tab (as check-session.mjs does) and returns what the popup says. */
async function saveSessionFromPopup() {
  const popup = await openPopup(await tabIdOf(context, app.url));
  try {
    await signInPopup(popup, admin);
    const button = popup.getByRole('button', { name: 'Save a session for checks' });
    await button.waitFor({ timeout: 10_000 });
    await button.click();
    const saved = popup.getByTestId('check-session-saved');
    await saved.or(popup.getByRole('alert')).first().waitFor({ timeout: 15_000 });
    if (!(await saved.isVisible())) throw new Error(`the popup says: ${await popup.getByRole('alert').textContent()}`);
    return (await saved.textContent()) ?? '';
  } finally {
    await popup.close();
  }
}

/** Signs in to Brightwater Rota in the app's tab (any email and password will do). */
async function signInToApp(page, next = '/board') {
  await page.goto(`${app.url}${next}`);
  await page.waitForURL((u) => u.pathname === '/login');
  await page.locator('#email').fill(admin.email);
  await page.locator('#password').fill('brightwater-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${app.url}${next}`);
}

/** Opens a dashboard page and waits for its main heading. */
async function dashGo(p) {
  await state.dash.goto(`${dashBase}${p}`);
  await state.dash.locator('h1').first().waitFor({ timeout: 15_000 });
}

const testText = (scope, id) => scope.getByTestId(id).first().innerText({ timeout: 15_000 }).then((t) => t.trim());

/** Waits on the filmstrip until the run has finished with `status` (in words), then checks its cards. */
async function filmstripShows(status, total) {
  const page = state.dash;
  await waitFor(async () => (await testText(page, 'check-run-status')) === status, { timeout: 120_000, interval: 250, message: `the filmstrip to say ${status}` }).catch(async (e) => {
    throw new Error(`${e.message}; the page says ${(await testText(page, 'check-run-status').catch(() => '?'))}: ${(await page.locator('main').innerText().catch(() => '')).slice(0, 400)}`);
  });
  await waitFor(async () => (await testText(page, 'check-run-progress')).startsWith(`${total} of ${total} step`), { message: `${total} of ${total} steps checked` });
  // Every step's screenshot is loaded (not a broken image, not "could not be loaded").
  await waitFor(
    () =>
      page.evaluate((n) => {
        const imgs = [...document.querySelectorAll('ol[aria-label="Steps checked"] img')];
        return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0 && i.alt.startsWith('The page at Step '));
      }, total),
    { message: `${total} filmstrip screenshots loaded` },
  );
}

async function outcomeOf(n) {
  return testText(state.dash.getByTestId(`check-step-${n}`), 'check-step-outcome');
}

/** The processes whose parent is `ppid`, with their command lines (from /proc). */
function childrenOf(ppid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== ppid) continue;
      out.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** This suite's server process: the `stepwise serve` whose DATA_DIR is its data directory. */
function serverPid() {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('stepwise\0serve')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`DATA_DIR=${server.dataDir}`)) return Number(name);
    } catch {
      /* not ours, or gone */
    }
  }
  return null;
}

/** Auto-heal requests the extension's service worker sends (step ids), and its health reports. */
const watched = { autoHeal: [], healthLogs: 0 };
context.on('request', (r) => {
  if (r.method() !== 'POST' || !r.url().startsWith(server.base)) return;
  const p = new URL(r.url()).pathname;
  if (/^\/api\/workflows\/\d+\/auto-heal$/.test(p)) {
    let stepId = null;
    try {
      stepId = JSON.parse(r.postData() ?? '{}').step_id ?? null;
    } catch {
      /* counted without its step */
    }
    watched.autoHeal.push(stepId);
  }
  if (/^\/api\/workflows\/\d+\/health-logs$/.test(p)) watched.healthLogs++;
});

const RECORDED = '1. the admin records the workflow with the extension (12 steps, 4 pages) and publishes it';
const SESSION = '2. the admin saves a session for checks from the popup';
const PASSED = '3. Check now on the health page: the filmstrip says Passed, 12 of 12 found';
const AT_RISK = '4. the app changes; the schedule, with nobody running the workflow, marks it At risk';
const WALKED = '5. a colleague walks it: the healed step is found by the check’s variant, no auto-heal asked for it';
const EXPIRED = '6. the app forgets its sessions: the next check says session expired, not at risk';
const KILLED = '7. the checker is killed mid-check: restarted, the run retried (attempts 2) and passed';

try {
  await suite.test('setup: an admin and a colleague; the admin signs in to the app and the dashboard', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Brightwater' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await adminCall('GET', '/api/company');
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);

    state.appPage = await context.newPage();
    await signInToApp(state.appPage);
    assert(app.state.sessions.size === 1, `one session in the app: ${app.state.sessions.size}`);

    state.dash = await context.newPage();
    await state.dash.goto(`${dashBase}/login`);
    const form = state.dash.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Email').fill(admin.email);
    await form.getByLabel('Password').fill(admin.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await state.dash.waitForURL((u) => u.pathname === '/workflows', { timeout: 15_000 });
  });

  await suite.test(RECORDED, async () => {
    const page = state.appPage;
    const tabId = await startRecording(page, admin, WORKFLOW);
    let count = 0;
    for (const step of STEPS) {
      const handle = await page.locator(step.original).elementHandle({ timeout: 10_000 });
      await userAct(page, step, handle);
      if (step.goes) {
        await page.waitForURL((u) => u.pathname === step.goes, { timeout: 15_000 });
        await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
      }
      count++;
      await expectSteps(page, count);
      count = Number(await page.evaluate(() => document.querySelector('stepwise-recorder')?.dataset.steps));
    }
    assert(count === STEPS.length, `the recorder counted ${count} steps, ${STEPS.length} were done`);
    assert(app.state.posts.length === 1 && app.state.posts[0].get('title') === 'Evening bar', 'the app received the new shift (recording never got in its way)');
    state.workflowId = await stopAndUpload(tabId, WORKFLOW, count);
    await approve(state.workflowId);

    const d = await detail();
    state.steps = d.steps;
    const kinds = d.steps.map((s) => s.action_type);
    console.log(`  recorded: ${d.steps.map((s) => `${s.action_type}:${s.element_meta.tag_name}@${new URL(s.page_context.url).pathname}`).join(', ')}`);
    assert(d.status === 'active', `published: ${d.status}`);
    assert(d.steps.length === 12, `12 steps: ${d.steps.length}`);
    assert(JSON.stringify(kinds) === JSON.stringify(['click', 'click', 'click', 'click', 'input_commit', 'select_change', 'input_commit', 'input_commit', 'click', 'submit', 'click', 'click']), `action types ${kinds}`);
    const pages = new Set(d.steps.map((s) => new URL(s.page_context.url).pathname));
    assert(pages.size === 4, `steps on four pages: ${[...pages]}`);
    assert(d.starting_url === `${app.url}/board`, `starting_url ${d.starting_url}`);
    assert(d.total_uses === 0, `nobody ran it yet: total_uses ${d.total_uses}`);
  }, { needs: ['setup: an admin and a colleague; the admin signs in to the app and the dashboard'] });

  await suite.test(SESSION, async () => {
    const said = await saveSessionFromPopup();
    console.log(`  popup: ${said}`);
    assert(said.includes(app.url), `the popup names the app's origin: ${said}`);
    const listed = (await adminCall('GET', '/api/check-sessions')).json.data.filter((s) => s.origin === app.url);
    assert(listed.length === 1 && listed[0].cookie_count === 1, `the server keeps one session for ${app.url} with the app's cookie: ${JSON.stringify(listed)}`);
    await dashGo('/settings');
    const region = state.dash.getByRole('region', { name: 'Sessions for checks' });
    await region.getByText(app.url).first().waitFor({ timeout: 10_000 });
  }, { needs: [RECORDED] });

  await suite.test(PASSED, async () => {
    const before = app.state.hits.get('/shifts/new')?.signedIn ?? 0;
    await dashGo(`/workflows/${state.workflowId}/health`);
    const card = state.dash.getByRole('region', { name: 'Scheduled check' });
    await card.getByRole('button', { name: 'Check now' }).click();
    await state.dash.waitForURL((u) => /^\/workflows\/\d+\/checks\/\d+$/.test(u.pathname), { timeout: 15_000 });
    const runId = Number(new URL(state.dash.url()).pathname.split('/').pop());
    await state.dash.getByRole('heading', { level: 1, name: `Check of ${WORKFLOW}` }).waitFor({ timeout: 15_000 });
    await filmstripShows('Passed', 12);
    assert((await testText(state.dash, 'check-run-found')) === '12', `found: ${await testText(state.dash, 'check-run-found')}`);
    assert((await testText(state.dash, 'check-run-missing')) === '0', 'nothing missing');
    for (let n = 1; n <= 12; n++) assert((await outcomeOf(n)) === 'Found', `step ${n}: ${await outcomeOf(n)}`);
    const boxes = await state.dash.getByTestId('check-box').count();
    assert(boxes === 12, `every step's element outlined on its screenshot: ${boxes}`);
    await state.dash.screenshot({ path: path.join(SHOTS, 'check-passed.png'), fullPage: true });

    const run = await finishedRun(runId, 'Check now, original app');
    assert(run.status === 'passed' && run.trigger === 'manual' && run.mode === 'locate', `run: ${run.status} ${run.trigger} ${run.mode}`);
    assert(run.steps_total === 12 && run.steps_found === 12 && run.steps_missing === 0 && run.attempts === 1, JSON.stringify({ ...run, steps: undefined }));
    assert(JSON.stringify(run.steps.map((s) => s.step_id)) === JSON.stringify(state.steps.map((s) => s.id)), 'the filmstrip has every step, in order');
    assert(run.steps.every((s) => s.outcome === 'found' && s.method === 'selector' && s.box && s.page_url?.startsWith(app.url)), `every step found by its selectors: ${JSON.stringify(run.steps.map((s) => [s.outcome, s.method]))}`);
    // The check went through the app's pages signed in (the saved session), and typed nothing.
    assert((app.state.hits.get('/shifts/new')?.signedIn ?? 0) > before, 'the check opened the form page signed in');
    assert(app.state.posts.length === 1, `a locate check submits nothing: ${app.state.posts.length} posts`);
    const d = await detail();
    assert(d.check_status === 'passed' && d.total_uses === 0, `check_status ${d.check_status}, total_uses ${d.total_uses}`);
  }, { needs: [SESSION] });

  await suite.test(AT_RISK, async () => {
    await fixture('version?v=changed');
    const noteCount = (await notes('workflow_at_risk')).length;
    await dashGo(`/workflows/${state.workflowId}/health`);
    const card = state.dash.getByRole('region', { name: 'Scheduled check' });
    // Every 15 min, saved; then the schedule switched on.
    assert(await card.getByRole('radio', { name: /^Locate — safe/ }).isChecked(), 'locate (safe) is the mode');
    assert(!(await card.getByRole('radio', { name: /^Replay — performs every step/ }).isChecked()), 'replay is not');
    await card.getByLabel('Every', { exact: true }).selectOption('15');
    await card.getByRole('button', { name: 'Save check settings' }).click();
    await waitFor(async () => (await adminCall('GET', `/api/workflows/${state.workflowId}/check`)).json.data.interval_minutes === 15, { message: 'the interval saved' });
    const toggle = card.getByRole('switch', { name: 'Check on a schedule' });
    assert((await toggle.getAttribute('aria-checked')) === 'false', 'the schedule starts off');
    const enabledAt = Date.now();
    await toggle.click();
    await waitFor(async () => (await toggle.getAttribute('aria-checked')) === 'true', { message: 'the switch on' });
    const check = (await adminCall('GET', `/api/workflows/${state.workflowId}/check`)).json.data;
    assert(check.enabled && check.interval_minutes === 15 && check.mode === 'locate' && check.next_run_at, `the check: ${JSON.stringify(check)}`);
    assert((await testText(card, 'check-next-run')) !== 'Not scheduled', `next check: ${await testText(card, 'check-next-run')}`);
    await card.screenshot({ path: path.join(SHOTS, 'check-settings.png') });

    // The next scheduled run (15 "minutes" of 200 ms, jittered by a tenth), nobody running the workflow.
    let scheduled;
    await waitFor(
      async () => {
        const runs = (await adminCall('GET', `/api/workflows/${state.workflowId}/check-runs`)).json.data;
        scheduled = runs.filter((r) => r.trigger === 'schedule' && Date.parse(r.created_at) >= enabledAt - 1000).pop();
        return scheduled?.state === 'finished';
      },
      { timeout: 120_000, interval: 250, message: 'a scheduled run to finish' },
    );
    const run = await finishedRun(scheduled.id, 'scheduled, changed app');
    state.scheduledRun = run;
    // "Within one interval" (jittered by a tenth), plus the scheduler's own tick and a loaded machine.
    const delay = Date.parse(run.created_at) - enabledAt;
    console.log(`  the first scheduled run was queued ${delay} ms after the switch (an interval is ${15 * MINUTE_MS} ms)`);
    assert(delay < 15 * MINUTE_MS * 1.1 + 3000, `the first scheduled run came within one interval: ${delay} ms`);
    assert(run.status === 'at_risk' && run.mode === 'locate', `status ${run.status}`);
    const outcomes = run.steps.map((s) => s.outcome);
    assert(outcomes[REMOVED] === 'not_found' && run.steps[REMOVED].box === null, `the removed disclosure: ${outcomes[REMOVED]}`);
    assert(outcomes[HEALED] === 'healed' && run.steps[HEALED].method === 'deterministic', `the moved link: ${outcomes[HEALED]} (${run.steps[HEALED].method})`);
    assert(outcomes.filter((o, i) => i !== REMOVED && i !== HEALED).every((o) => o === 'found'), `every other step found: ${outcomes}`);
    assert(run.steps_missing === 1 && run.steps_healed === 1 && run.steps_found === 10, `counts: ${run.steps_found} found, ${run.steps_healed} healed, ${run.steps_missing} missing`);

    // The check's heal became a variant every colleague uses; the recorded selectors stay.
    const d = await detail();
    const healedStep = d.steps[HEALED];
    const variants = healedStep.selector_variants ?? [];
    const fromCheck = variants.filter((v) => v.source === 'healed');
    assert(variants[0]?.source === 'recorded' && JSON.stringify(healedStep.selectors) === JSON.stringify(state.steps[HEALED].selectors), 'the recorded selectors are kept');
    assert(fromCheck.length === 1 && fromCheck[0].status === 'shared' && fromCheck[0].selectors.primary === '#new-shift-link', `the check's variant: ${JSON.stringify(variants.map((v) => [v.source, v.status, v.selectors.primary]))}`);
    // Nobody used the workflow: health untouched, only the check says it is at risk.
    assert(d.total_uses === 0 && d.status === 'active' && d.check_status === 'at_risk', `total_uses ${d.total_uses}, status ${d.status}, check_status ${d.check_status}`);
    assert(sql(`SELECT COUNT(*) FROM health_logs WHERE workflow_id = ${state.workflowId}`) === '0', 'no health entries before any colleague');
    await waitFor(async () => (await notes('workflow_at_risk')).length === noteCount + 1, { message: 'a workflow_at_risk notification' });
    const [note] = (await notes('workflow_at_risk')).slice(-1);
    assert(note.action_url?.endsWith(`/workflows/${state.workflowId}/checks/${run.id}`), `the notification opens the run: ${note.action_url}`);
    console.log(`  notification: ${note.title} — ${note.message}`);

    // The schedule off again (the switch), so that the next runs are the ones this suite asks for.
    await toggle.click();
    await waitFor(async () => (await toggle.getAttribute('aria-checked')) === 'false', { message: 'the switch off' });
    await waitFor(async () => (await adminCall('GET', `/api/workflows/${state.workflowId}/check-runs`)).json.data.every((r) => r.state === 'finished'), { timeout: 120_000, message: 'no run in flight' });

    // The filmstrip of the scheduled run.
    await dashGo(`/workflows/${state.workflowId}/checks/${run.id}`);
    await filmstripShows('At risk', 12);
    assert((await testText(state.dash, 'check-run-healed')) === '1' && (await testText(state.dash, 'check-run-missing')) === '1', 'healed 1, missing 1');
    assert((await outcomeOf(HEALED + 1)) === 'Healed', `step ${HEALED + 1}: ${await outcomeOf(HEALED + 1)}`);
    assert((await outcomeOf(REMOVED + 1)) === 'Not found', `step ${REMOVED + 1}: ${await outcomeOf(REMOVED + 1)}`);
    assert((await state.dash.getByTestId(`check-step-${HEALED + 1}`).getByTestId('check-box').count()) === 1, 'the healed link is outlined');
    assert((await state.dash.getByTestId(`check-step-${REMOVED + 1}`).getByTestId('check-box').count()) === 0, 'nothing outlined for the removed disclosure');
    await state.dash.screenshot({ path: path.join(SHOTS, 'check-at-risk.png'), fullPage: true });

    // The badge in the list and the notification in the dashboard.
    await dashGo('/workflows');
    const row = state.dash.getByTestId(`workflow-row-${state.workflowId}`);
    await waitFor(async () => (await testText(row, 'check-status-badge')).includes('At risk'), { message: 'the At risk badge in the list' });
    await dashGo('/notifications');
    await state.dash.getByText('Scheduled check: at risk').first().waitFor({ timeout: 10_000 });
  }, { needs: [PASSED] });

  await suite.test(WALKED, async () => {
    const page = state.appPage;
    const healedId = state.steps[HEALED].id;
    const removedId = state.steps[REMOVED].id;
    const seenBefore = watched.autoHeal.length;
    await page.goto(`${app.url}/board`);
    await startGuide(page, member, WORKFLOW);
    const hostState = () => page.evaluate(() => ({ ...(document.querySelector('stepwise-guide')?.dataset ?? {}) }));
    const shown = [];
    for (const [i, step] of STEPS.entries()) {
      const want = selectorIn(step, 'changed');
      let p;
      await waitFor(async () => ['step', 'ask', 'reveal', 'not-found', 'hidden', 'wrong-page', 'done', 'finished'].includes((p = await hostState()).state) && Number(p.step) === i, { timeout: 30_000, message: `the walkthrough at step ${i + 1} (${step.name})` }).catch(async (e) => {
        throw new Error(`${e.message}; the overlay: ${JSON.stringify(await hostState())} ${(await overlay(page))?.title ?? ''}`);
      });
      shown.push(p.state);
      if (want === null) {
        assert(p.state === 'not-found', `${step.name} (removed): ${p.state}`);
        await pressOverlay(page, 'Skip');
      } else {
        assert(p.state === 'step', `${step.name}: ${p.state} (${(await overlay(page))?.title})`);
        const handle = await page.locator(want).elementHandle();
        const spot = (await overlay(page)).spot;
        const box = await handle.boundingBox();
        assert(spot && box && box.x + box.width / 2 >= spot.x && box.x + box.width / 2 <= spot.x + spot.width && box.y + box.height / 2 >= spot.y && box.y + box.height / 2 <= spot.y + spot.height, `${step.name}: the spotlight is on ${want}`);
        await userAct(page, step, handle);
      }
      await waitFor(async () => Number((await hostState()).step) !== i || ['done', 'finished'].includes((await hostState()).state), { timeout: 20_000, message: `the walkthrough to move on from ${step.name}` });
    }
    let end;
    await waitFor(async () => (end = await hostState()).state === 'done', { timeout: 20_000, message: 'the end card' });
    const card = await overlay(page);
    console.log(`  colleague: ${shown.join(' ')}; end: ${card.title}`);
    assert(/^Done — 1 step skipped$/.test(card.title), `end card: ${card.title}`);
    await pressOverlay(page, 'Close');

    // What the walkthrough reported: the healed step found at once (success), the removed one skipped.
    let rows;
    await waitFor(() => (rows = sql(`SELECT COALESCE(step_id, 'run') || ':' || status FROM health_logs WHERE workflow_id = ${state.workflowId} ORDER BY id`).split('\n').filter(Boolean)).some((r) => r.startsWith('run:')), { timeout: 20_000, message: 'the run reported to the server' });
    console.log(`  health entries: ${rows.join(' ')}`);
    assert(rows.includes(`${healedId}:success`), `the healed step's entry is success: ${rows}`);
    assert(!rows.some((r) => /:healed_/.test(r)), `no step was healed on the way: ${rows}`);
    assert(rows.includes(`${removedId}:skipped`) || rows.includes(`${removedId}:failed`), `the removed step was reported: ${rows}`);
    assert(rows.includes('run:completed_with_skips'), `the run completed with a skip: ${rows}`);
    assert(watched.healthLogs > 0, 'the extension’s requests are watched (its health reports were seen)');
    const asked = watched.autoHeal.slice(seenBefore);
    console.log(`  auto-heal requests during the walk: ${JSON.stringify(asked)} (healed step ${healedId}, removed step ${removedId})`);
    assert(!asked.includes(healedId), `an auto-heal request for the healed step ${healedId}: ${asked}`);
    assert(asked.every((id) => id === removedId), `auto-heal only for the removed step: ${asked}`);
    const d = await detail();
    assert(d.total_uses === 1, `the colleague's run counts: total_uses ${d.total_uses}`);
  }, { needs: [AT_RISK] });

  await suite.test(EXPIRED, async () => {
    const atRiskBefore = (await notes('workflow_at_risk')).length;
    const expiredBefore = (await notes('check_session_expired')).length;
    const out = await fixture('expire-sessions');
    assert(out.sessions === 0, 'the app forgot its sessions');
    const signedOutBefore = app.state.hits.get('/board')?.signedOut ?? 0;
    await dashGo(`/workflows/${state.workflowId}/health`);
    await state.dash.getByRole('region', { name: 'Scheduled check' }).getByRole('button', { name: 'Check now' }).click();
    await state.dash.waitForURL((u) => /\/checks\/\d+$/.test(u.pathname), { timeout: 15_000 });
    const runId = Number(new URL(state.dash.url()).pathname.split('/').pop());
    await waitFor(async () => (await testText(state.dash, 'check-run-status')) === 'Session expired', { timeout: 120_000, interval: 250, message: 'the filmstrip to say Session expired' });
    const message = await testText(state.dash, 'check-run-message');
    assert(/sign-in page/.test(message) && message.includes('/login'), `the run says why: ${message}`);
    await state.dash.getByText('Save a session again').waitFor({ timeout: 10_000 });
    await state.dash.screenshot({ path: path.join(SHOTS, 'session-expired.png'), fullPage: true });

    const run = await finishedRun(runId, 'Check now, sessions expired');
    assert(run.status === 'session_expired', `status ${run.status}`);
    assert((app.state.hits.get('/board')?.signedOut ?? 0) > signedOutBefore, 'the check reached the app and was sent to its sign-in page');
    await waitFor(async () => (await notes('check_session_expired')).length === expiredBefore + 1, { message: 'a check_session_expired notification' });
    const [note] = (await notes('check_session_expired')).slice(-1);
    assert(/Save a session for checks/.test(note.message ?? ''), `the notification says what to do: ${note.message}`);
    assert((await notes('workflow_at_risk')).length === atRiskBefore, 'no at-risk notification for an expired session');
    const d = await detail();
    assert(d.check_status === 'session_expired', `check_status ${d.check_status}`);
    await dashGo('/workflows');
    await waitFor(async () => (await testText(state.dash.getByTestId(`workflow-row-${state.workflowId}`), 'check-status-badge')).includes('Session expired'), { message: 'the Session expired badge in the list' });
  }, { needs: [AT_RISK] });

  await suite.test(KILLED, async () => {
    // The admin signs in again and saves a fresh session; the app back to its original release, slow.
    await signInToApp(state.appPage);
    await saveSessionFromPopup();
    await fixture('version?v=original');
    await fixture('slow?ms=1500');
    const pid = serverPid();
    assert(pid, 'this suite’s server process');
    const res = await adminCall('POST', `/api/workflows/${state.workflowId}/check-runs`);
    assert(res.status === 202, `POST check-runs: ${res.status} ${res.text}`);
    const runId = res.json.data.id;
    // In the middle of the check: running, and at least one step reported.
    await waitFor(async () => {
      const r = (await adminCall('GET', `/api/check-runs/${runId}`)).json.data;
      return r.state === 'running' && (r.steps?.length ?? 0) >= 1 && r.steps.length < 12;
    }, { timeout: 60_000, interval: 100, message: 'the check to be running with a step reported' });
    const checkers = childrenOf(pid).filter((c) => c.cmd.includes('packages/checker/dist/main.js'));
    assert(checkers.length === 1, `one checker under the server: ${JSON.stringify(childrenOf(pid))}`);
    process.kill(checkers[0].pid, 'SIGKILL');
    console.log(`  killed the checker ${checkers[0].pid} (${checkers[0].cmd})`);
    const run = await finishedRun(runId, 'Check now, checker killed mid-check, slow pages', 150_000);
    await fixture('slow?ms=0');
    assert(run.attempts === 2, `attempts ${run.attempts}`);
    assert(run.status === 'passed', `a real status after the retry: ${run.status} (${run.message})`);
    assert(run.steps.length === 12 && run.steps_total === 12 && run.steps_found === 12, `the filmstrip of the retried check: ${run.steps.length} steps, ${run.steps_found} found`);
    const again = childrenOf(pid).filter((c) => c.cmd.includes('packages/checker/dist/main.js'));
    assert(again.length === 1 && again[0].pid !== checkers[0].pid, `a new checker: ${JSON.stringify(again)}`);
    // The history lists every run of this suite, newest first.
    await dashGo(`/workflows/${state.workflowId}/health`);
    const history = state.dash.getByRole('region', { name: 'Check history' });
    await history.getByTestId(`check-run-row-${runId}`).waitFor({ timeout: 15_000 });
    const rows = await history.getByRole('table', { name: 'Check runs, newest first' }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
    assert(rows[0] === `check-run-row-${runId}`, `newest first: ${rows}`);
    assert(rows.includes(`check-run-row-${state.scheduledRun.id}`), `the scheduled run is listed: ${rows}`);
    await history.screenshot({ path: path.join(SHOTS, 'check-history.png') });
  }, { needs: [EXPIRED] });

  await suite.test('8. a server without CHECKS_ALLOW_PRIVATE refuses to check an app on 127.0.0.1, saying why', async () => {
    const second = await serverWith({ CHECKS_ALLOW_PRIVATE: undefined, CHECK_MINUTE_MS: undefined, ACCESS_LOG: undefined, CHECKER_COMMAND: undefined });
    try {
      const c2 = api(second.base).call;
      const signup = await c2('POST', '/api/auth/signup', { body: { email: 'eve@egress.test', password: 'admin-password-2', name: 'Eve Admin', company_name: 'Egress Co' } });
      assert(signup.status === 201, `signup: ${signup.text}`);
      const token = signup.json.data.token;
      // The workflow as recorded above, one step of it, on the app at 127.0.0.1.
      const s = state.steps[0];
      const body = {
        metadata: { name: 'Open the shifts', starting_url: `${app.url}/board` },
        steps: [{ step_number: 1, timestamp: new Date().toISOString(), action_type: 'click', selectors: s.selectors, element_meta: s.element_meta, page_context: { url: s.page_context.url, title: s.page_context.title, viewport: s.page_context.viewport }, action_data: { input_value: null } }],
      };
      const created = await c2('POST', '/api/workflows', { token, body });
      assert(created.status === 201, `POST /api/workflows: ${created.status} ${created.text}`);
      const id = created.json.data.workflow_id;
      await waitFor(async () => (await c2('GET', `/api/workflows/${id}`, { token })).json.data.status !== 'processing', { message: 'labeling to finish' });
      for (const status of ['needs_review', 'active']) await c2('PUT', `/api/workflows/${id}`, { token, body: { status } });
      assert((await c2('GET', `/api/workflows/${id}`, { token })).json.data.status === 'active', 'published');
      const hitsBefore = [...app.state.hits.values()].reduce((t, h) => t + h.signedIn + h.signedOut, 0);
      const res = await c2('POST', `/api/workflows/${id}/check-runs`, { token });
      assert(res.status === 202, `POST check-runs: ${res.status} ${res.text}`);
      let run;
      await waitFor(async () => (run = (await c2('GET', `/api/check-runs/${res.json.data.id}`, { token })).json.data).state === 'finished', { timeout: 60_000, message: 'the run to finish' });
      timings.push({ label: 'second server, no CHECKS_ALLOW_PRIVATE', id: run.id, trigger: run.trigger, status: run.status, attempts: run.attempts, duration_ms: run.duration_ms });
      console.log(`  run ${run.id}: ${run.status} — ${run.message}`);
      assert(run.status === 'error', `status ${run.status}`);
      assert(/egress policy/.test(run.message ?? '') && (run.message ?? '').includes('CHECKS_ALLOW_PRIVATE'), `the message names the policy and the setting: ${run.message}`);
      assert(run.steps_total === 0 || run.steps.every((x) => x.outcome !== 'found'), `nothing was found: ${JSON.stringify(run.steps)}`);
      const hitsAfter = [...app.state.hits.values()].reduce((t, h) => t + h.signedIn + h.signedOut, 0);
      assert(hitsAfter === hitsBefore, `the app saw ${hitsAfter - hitsBefore} request(s) from a refused check`);
    } finally {
      await second.stop();
    }
  });
} finally {
  await context.close().catch(() => {});
  await app.close();
  await dashboard?.stop();
  const logPath = await server.stop();
  console.log(`server log: ${logPath}`);
  await suite.test('the server’s access log counts the auto-heal requests the extension was seen to send, and the checker’s restart', async () => {
    const lines = readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return {};
      }
    });
    const autoHeal = lines.filter((l) => l.msg === 'request' && l.method === 'POST' && l.route === '/api/workflows/{id}/auto-heal').length;
    const requests = lines.filter((l) => l.msg === 'request').length;
    assert(requests > 0, 'the access log is on');
    assert(autoHeal === watched.autoHeal.length, `access log: ${autoHeal} auto-heal requests; the extension was seen sending ${watched.autoHeal.length}`);
    assert(lines.some((l) => l.msg === 'checker exited'), 'the server logged the checker’s exit');
  }, { needs: [WALKED] });
  console.log('check runs (duration_ms from the filmstrip):');
  for (const t of timings) console.log(`  #${t.id} ${t.label}: ${t.status}, ${t.trigger}, attempts ${t.attempts}, ${t.duration_ms} ms`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-checks-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-checks-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
