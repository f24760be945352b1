#!/usr/bin/env node
// End-to-end run of the dashboard against the real server, in Debian's /usr/bin/chromium driven by
// playwright-core: sign up, settings and the invite link, join as a member, roles, a workflow created
// through the API (screenshots of a fixture web app, real bounding boxes), review it (screenshot with
// the target box, edit a label, an ETag conflict), approve it, the member sees it, a notification
// arrives live, export every format and replay the DevTools recording with @puppeteer/replay against
// the fixture app, import it back, health and the heal review queue, then remove the member and sign
// out; last the company's webhook (a loopback address refused with the reason, a public one saved,
// removed). Every endpoint these steps use exists: a 404 or 405 from one of them is a failure, not
// a skip. A second workflow, recorded with guide-core on a wiki fixture, shows value kinds: the
// username is personal, the title free, the link to the new page points at it; the review page
// changes a kind and the instruction follows (build/e2e-screenshots/value-kind-review.png).
// Writes a screenshot of every page to build/e2e-screenshots/dashboard/ and, when JUNIT_DIR is set,
// $JUNIT_DIR/dashboard-e2e.xml.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  Steps,
  dashboardDir,
  repoRoot,
  resetScreenshots,
  screenshotDir,
  serverServesDashboard,
  startFixtureServer,
  startServer,
  startStaticServer,
} from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TIMEOUT = 15_000;
const VIEWPORT = { width: 1280, height: 800 };

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const byRole = (page, role, name) => page.getByRole(role, { name, exact: true });

async function click(page, role, name) {
  await byRole(page, role, name).click({ timeout: TIMEOUT });
}

async function fill(page, selector, value) {
  await page.locator(selector).fill(value, { timeout: TIMEOUT });
}

async function waitText(page, text, timeout = TIMEOUT) {
  try {
    await page.waitForFunction((t) => document.body?.innerText.includes(t), text, { timeout });
  } catch {
    const body = await page.evaluate(() => document.body?.innerText ?? '');
    throw new Error(`Text not found: ${JSON.stringify(text)} on ${page.url()}\n--- page text ---\n${body.slice(0, 1500)}`);
  }
}

async function waitPath(page, pathname) {
  try {
    await page.waitForFunction((p) => location.pathname === p, pathname, { timeout: TIMEOUT });
  } catch {
    throw new Error(`Expected to be at ${pathname}, am at ${page.url()}`);
  }
}

/** Toasts float over the page; clear them before clicking what they might cover. */
async function dismissToasts(page) {
  await page.$$eval('button[aria-label^="Dismiss:"]', (buttons) => buttons.forEach((b) => b.click()));
}

async function hasLink(page, name) {
  return (await byRole(page, 'link', name).count()) > 0;
}

let shotCount = 0;
async function shot(page, name) {
  shotCount += 1;
  // Let transitions, images and toasts settle.
  await page.waitForLoadState('load').catch(() => {});
  await sleep(200);
  await page.screenshot({ path: path.join(screenshotDir, `${String(shotCount).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Nothing injected by user text ran or became an element. */
async function assertNoInjection(page) {
  const found = await page.evaluate(() => ({ xss: window.__xss ?? null, bad: document.querySelectorAll('img[src="x"], img[onerror], script:not([type="module"]):not([src])').length }));
  assert(found.xss === null && found.bad === 0, `user text was rendered as markup: ${JSON.stringify(found)}`);
}

/** The JSON API as a client (the extension, another admin) uses it. */
async function apiCall(base, token, method, url, body, headers = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/**
 * Fails the step when the server answers as if it had no such endpoint (404 without a workflow
 * error, or 405): every endpoint probed here is in openapi/openapi.yaml and the server.
 */
function assertEndpoint(res, what) {
  assert(res.status !== 404 || res.json?.error?.code === 'WORKFLOW_NOT_FOUND', `${what}: the server answers 404 (${res.json?.error?.code ?? 'no envelope'}) for an endpoint it has`);
  assert(res.status !== 405, `${what}: the server answers 405 for an endpoint it has`);
}

async function uploadScreenshot(base, token, png) {
  const form = new FormData();
  form.append('image', new Blob([png], { type: 'image/png' }), 'step.png');
  form.append('image_hash', `sha256:${createHash('sha256').update(png).digest('hex')}`);
  const res = await fetch(`${base}/api/screenshots`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  const json = await res.json();
  assert(res.status === 201 || res.status === 200, `screenshot upload answered ${res.status}: ${JSON.stringify(json)}`);
  return json.data.screenshot_id;
}

/**
 * Records the fixture sign-up form the way the extension would: for each step the element's real
 * bounding box and a screenshot of the viewport, uploaded first, then the workflow in one POST.
 */
async function recordFixtureWorkflow(browser, base, token, fixtureUrl, name, description) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(fixtureUrl);
  const box = (sel) => page.locator(sel).evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; });
  const steps = [];
  const plan = [
    { sel: '#company', action: 'input_commit', tag: 'input', label: 'Company name', role: 'textbox', act: () => page.fill('#company', 'Initech'), data: { input_value: 'Initech' } },
    { sel: '#plan', action: 'select_change', tag: 'select', label: 'Plan', role: 'combobox', act: () => page.selectOption('#plan', 'pro'), data: { input_value: 'pro' } },
    { sel: '#start', action: 'click', tag: 'button', label: 'Start trial', role: 'button', act: () => page.click('#start'), data: null },
  ];
  for (const [i, p] of plan.entries()) {
    const bounding_box = await box(p.sel);
    const png = await page.screenshot();
    const screenshotId = await uploadScreenshot(base, token, png);
    steps.push({
      step_number: i + 1,
      timestamp: new Date().toISOString(),
      action_type: p.action,
      selectors: { primary: p.sel, css: p.sel, aria: `aria/${p.label}[role="${p.role}"]`, xpath: `//*[@id="${p.sel.slice(1)}"]` },
      element_meta: { tag_name: p.tag, role: p.role, id: p.sel.slice(1), accessible_name: p.label, label_text: p.tag === 'button' ? null : p.label, inner_text: p.tag === 'button' ? p.label : null, bounding_box },
      page_context: { url: fixtureUrl, title: 'Acme trial sign-up', viewport: VIEWPORT },
      action_data: p.data,
      screenshot_ref: { id: screenshotId },
    });
    await p.act();
  }
  await context.close();
  const res = await apiCall(base, token, 'POST', '/api/workflows', { metadata: { name, description, starting_url: fixtureUrl, tags: ['onboarding', 'e2e'] }, steps });
  assert(res.status === 201, `creating the workflow answered ${res.status}: ${res.text}`);
  return res.json.data.workflow_id;
}

const GUIDE_CORE_IIFE = path.join(repoRoot, 'packages/guide-core/dist/guide-core.iife.js');

/**
 * Records the fixture wiki page with guide-core, as the extension's recorder does: each element
 * described, each typed value captured with its value kind (valueKindOf), and the steps linked
 * (linkValues: the link to the page just created points at the title step) before the one POST.
 */
async function recordWikiWorkflow(browser, base, token, url, name, username, title) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(url);
  await page.addScriptTag({ path: GUIDE_CORE_IIFE });
  const plan = [
    { sel: '#username', action: 'input_commit', act: () => page.fill('#username', username) },
    { sel: '#title', action: 'input_commit', act: () => page.fill('#title', title) },
    { sel: '#create', action: 'click', act: () => page.click('#create') },
    { sel: '#pages a', action: 'click', act: () => page.click('#pages a') },
  ];
  const steps = [];
  for (const [i, p] of plan.entries()) {
    const screenshotId = await uploadScreenshot(base, token, await page.screenshot());
    const typed = p.action === 'input_commit';
    // A value is read once typed; a click's target as it is clicked.
    if (typed) await p.act();
    const recorded = await page.evaluate(({ sel, typed }) => {
      const core = window.StepwiseGuideCore;
      const el = document.querySelector(sel);
      const target = core.describeElement(el);
      const action_data = typed ? { ...core.captureValue(el), value_kind: core.valueKindOf(el) } : null;
      return { selectors: target.selectors, element_meta: target.element_meta, action_data, url: location.href, title: document.title };
    }, { sel: p.sel, typed });
    if (!typed) await p.act();
    steps.push({
      step_number: i + 1,
      timestamp: new Date().toISOString(),
      action_type: p.action,
      selectors: recorded.selectors,
      element_meta: recorded.element_meta,
      page_context: { url: recorded.url, title: recorded.title, viewport: VIEWPORT },
      action_data: recorded.action_data,
      screenshot_ref: { id: screenshotId },
    });
  }
  const linked = await page.evaluate((s) => window.StepwiseGuideCore.linkValues(s), steps);
  await context.close();
  const res = await apiCall(base, token, 'POST', '/api/workflows', { metadata: { name, starting_url: url, tags: ['e2e'] }, steps: linked });
  assert(res.status === 201, `creating the workflow answered ${res.status}: ${res.text}`);
  return res.json.data.workflow_id;
}

async function waitForStatus(base, token, id, wanted, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last = null;
  while (Date.now() < deadline) {
    const res = await apiCall(base, token, 'GET', `/api/workflows/${id}`);
    last = res.json?.data?.status ?? `${res.status} ${res.text.slice(0, 200)}`;
    if (wanted.includes(last)) return res;
    await sleep(250);
  }
  throw new Error(`workflow ${id} stayed ${last}, expected one of ${wanted.join(', ')}`);
}

async function main() {
  if (!existsSync(GUIDE_CORE_IIFE)) {
    console.log('Building guide-core (the recorder the value-kind step uses)…');
    execSync('npm run build -w packages/guide-core', { cwd: repoRoot, stdio: 'inherit' });
  }
  if (!existsSync(path.join(dashboardDir, 'index.html')) || process.env.E2E_DASHBOARD_BUILD === '1') {
    console.log('Building the dashboard…');
    execSync('npm run build -w packages/dashboard', { cwd: repoRoot, stdio: 'inherit' });
  }
  resetScreenshots();
  const steps = new Steps('dashboard-e2e');
  const server = await startServer();
  const fixture = await startFixtureServer();
  const fixtureUrl = `${fixture.base}/signup-form.html`;
  let staticServer = null;
  let base = server.base;
  // E2E_DASHBOARD_STATIC=1 forces the stand-in static server (to check it, or a server without the SPA fallback).
  if (process.env.E2E_DASHBOARD_STATIC !== '1' && (await serverServesDashboard(server.base))) {
    console.log(`The server serves the dashboard at / (${server.base})`);
  } else {
    staticServer = await startStaticServer(server.base);
    base = staticServer.base;
    console.log(`Stand-in static server: serving build/web/dashboard at ${base}, /api proxied to ${server.base}`);
  }

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

  const stamp = Date.now().toString(36);
  const admin = { name: 'Ada Lovelace', email: `ada-${stamp}@example.com`, password: 'correct horse battery', company: 'Analytical Engines Ltd' };
  // A hostile display name: must render as text, never as markup.
  const member = { name: 'Bob <img src=x onerror="window.__xss=1">', email: `bob-${stamp}@example.com`, password: 'another good password' };
  const hostileText = '<script>window.__xss=2</script><img src=x onerror="window.__xss=3">';
  const errors = [];

  const adminContext = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const a = await adminContext.newPage();
  a.on('pageerror', (e) => errors.push(`admin page: ${e.message}`));
  let memberContext = null;
  let m = null;
  let inviteLink = '';
  let memberId = 0;
  let adminToken = '';
  let memberToken = '';
  let workflowId = 0;
  let workflowName = '';
  let recording = null;
  let approvedReviewId = null;

  try {
    await steps.step('signed-out visitor is sent to sign in', async () => {
      await a.goto(`${base}/`);
      await waitPath(a, '/login');
      await waitText(a, 'Sign in to Stepwise');
      await shot(a, 'sign-in');
    });

    await steps.step('sign up shows the server’s validation next to the field', async () => {
      await click(a, 'link', 'Create a company account');
      await waitPath(a, '/signup');
      await shot(a, 'sign-up');
      await fill(a, 'input[name=name]', admin.name);
      await fill(a, 'input[name=email]', admin.email);
      await fill(a, 'input[name=password]', 'short');
      await fill(a, 'input[name=company_name]', admin.company);
      await click(a, 'button', 'Create company');
      await a.waitForSelector('input[name=password][aria-invalid=true]', { timeout: TIMEOUT });
      const message = await a.$eval('input[name=password]', (el) => document.getElementById(el.getAttribute('aria-describedby')?.split(' ')[0] ?? '')?.textContent ?? '');
      assert(/8/.test(message), `password error should mention the minimum, got ${JSON.stringify(message)}`);
      await shot(a, 'sign-up-validation');
    });

    await steps.step('sign up creates the company and lands on the empty workflows page', async () => {
      await fill(a, 'input[name=password]', admin.password);
      await click(a, 'button', 'Create company');
      await waitPath(a, '/workflows');
      await waitText(a, 'Record your first workflow');
      const company = await a.$eval('[data-testid=company-name]', (el) => el.textContent);
      assert(company === admin.company, `nav shows company ${company}`);
      assert(await hasLink(a, 'Settings'), 'an admin sees Settings');
      adminToken = await a.evaluate(() => localStorage.getItem('stepwise.token'));
      assert(adminToken, 'the token is kept');
      await shot(a, 'workflows-empty');
      await click(a, 'link', 'Account');
      await waitText(a, `Welcome, ${admin.name}`);
      await shot(a, 'account-admin');
    });

    await steps.step('settings show the company, invite link and team; copy the link', async () => {
      await click(a, 'link', 'Settings');
      await waitPath(a, '/settings');
      await waitText(a, 'Showing 1–1 of 1');
      inviteLink = await a.$eval('#invite-link', (el) => el.value);
      assert(inviteLink.startsWith(`${base}/join/`), `invite link ${inviteLink}`);
      await click(a, 'button', 'Copy link');
      await waitText(a, 'Copied ✓');
      const clipboard = await a.evaluate(() => navigator.clipboard.readText().catch((e) => `unreadable: ${e}`));
      assert(clipboard === inviteLink, `clipboard holds ${JSON.stringify(clipboard)}, expected the invite link`);
      await shot(a, 'settings');
    });

    await steps.step('joining with an email already taken says so next to the email', async () => {
      memberContext = await browser.newContext({ viewport: VIEWPORT });
      m = await memberContext.newPage();
      m.on('pageerror', (e) => errors.push(`member page: ${e.message}`));
      await m.goto(inviteLink);
      await waitText(m, `Join ${admin.company}`);
      await shot(m, 'join');
      await fill(m, 'input[name=name]', member.name);
      await fill(m, 'input[name=email]', admin.email);
      await fill(m, 'input[name=password]', member.password);
      await click(m, 'button', `Join ${admin.company}`);
      await waitText(m, 'An account with this email already exists');
      await m.waitForSelector('input[name=email][aria-invalid=true]', { timeout: TIMEOUT });
      await shot(m, 'join-email-taken');
    });

    await steps.step('a member joins by the invite link, sees no Settings and no workflows yet', async () => {
      await fill(m, 'input[name=email]', member.email);
      await click(m, 'button', `Join ${admin.company}`);
      await waitPath(m, '/workflows');
      await waitText(m, 'No workflows published yet');
      assert(!(await hasLink(m, 'Settings')), 'a member must not see Settings');
      await assertNoInjection(m);
      memberToken = await m.evaluate(() => localStorage.getItem('stepwise.token'));
      await shot(m, 'workflows-member-empty');
    });

    await steps.step('a member who opens /settings is sent back with a message', async () => {
      await m.goto(`${base}/settings`);
      await waitPath(m, '/workflows');
      await waitText(m, 'Settings are for admins');
      await shot(m, 'member-settings-redirect');
      const res = await apiCall(base, memberToken, 'GET', '/api/company');
      assert(res.status === 403, `the API must refuse a member (got ${res.status})`);
    });

    await steps.step('the admin renames the company and the nav follows', async () => {
      await a.reload();
      await waitText(a, 'Showing 1–2 of 2');
      await fill(a, 'input[name=company_name]', 'Difference Engines plc');
      await click(a, 'button', 'Save');
      await waitText(a, 'Company name saved');
      await a.waitForFunction(() => document.querySelector('[data-testid=company-name]')?.textContent === 'Difference Engines plc', null, { timeout: TIMEOUT });
      await shot(a, 'settings-renamed');
    });

    await steps.step('the Healing card saves how many colleagues must confirm a healed element', async () => {
      // Probe with the default (2): a server without the setting refuses it (422) or leaves it out.
      const probe = await apiCall(base, adminToken, 'PATCH', '/api/company', { settings: { heal_confirmations_required: 2 } });
      assertEndpoint(probe, 'heal_confirmations_required');
      assert(probe.status === 200 && probe.json?.data?.settings?.heal_confirmations_required === 2, `the server keeps settings.heal_confirmations_required (PATCH answered ${probe.status}: ${probe.text.slice(0, 200)})`);
      await a.reload();
      const input = a.getByLabel('Colleagues who must confirm a healed element');
      await input.waitFor({ timeout: TIMEOUT });
      assert((await input.inputValue()) === '2', `the card shows the saved value 2, not ${await input.inputValue()}`);
      await input.fill('11');
      await click(a, 'button', 'Save healing setting');
      await waitText(a, 'Enter a whole number from 1 to 10');
      await input.fill('3');
      await click(a, 'button', 'Save healing setting');
      await waitText(a, 'Healing setting saved');
      const company = await apiCall(base, adminToken, 'GET', '/api/company');
      assert(company.json?.data?.settings?.heal_confirmations_required === 3, `the server keeps 3: ${JSON.stringify(company.json?.data?.settings)}`);
      await a.reload();
      await input.waitFor({ timeout: TIMEOUT });
      assert((await input.inputValue()) === '3', `after a reload the card shows 3, not ${await input.inputValue()}`);
      await a.locator('#healing-heading').scrollIntoViewIfNeeded();
      await shot(a, 'settings-healing');
    });

    await steps.step('the last admin cannot demote themselves; promote and demote the member', async () => {
      const rows = await a.$$eval('tr[data-testid^=user-row-]', (trs) => trs.map((r) => r.getAttribute('data-testid')));
      const myId = rows[0].replace('user-row-', '');
      memberId = Number(rows[1].replace('user-row-', ''));
      await a.selectOption(`#role-${myId}`, 'regular');
      await waitText(a, 'A company always needs at least one admin');
      assert((await a.$eval(`#role-${myId}`, (el) => el.value)) === 'admin', 'the select must go back to admin');
      await shot(a, 'settings-last-admin');
      await a.selectOption(`#role-${memberId}`, 'admin');
      await waitText(a, 'is now an admin');
      await m.reload();
      await waitText(m, 'Workflows');
      await byRole(m, 'link', 'Settings').waitFor({ timeout: TIMEOUT });
      await a.selectOption(`#role-${memberId}`, 'regular');
      await waitText(a, 'is now a member');
      await m.reload();
      await waitText(m, 'No workflows published yet');
      assert(!(await hasLink(m, 'Settings')), 'a demoted member must not see Settings');
    });

    await steps.step('a workflow created through the API appears in the list once labeled', async () => {
      workflowName = 'Start an Acme trial';
      workflowId = await recordFixtureWorkflow(browser, base, adminToken, fixtureUrl, workflowName, `Sign a company up for a trial. ${hostileText}`);
      // The server's labeler takes it from processing to needs_review.
      await waitForStatus(base, adminToken, workflowId, ['needs_review'], 20_000);
      await click(a, 'link', 'Workflows');
      await waitPath(a, '/workflows');
      await byRole(a, 'link', workflowName).waitFor({ timeout: TIMEOUT });
      const row = a.locator(`[data-testid=workflow-row-${workflowId}]`);
      const text = await row.innerText();
      assert(/Needs review/.test(text), `the row shows the status: ${text}`);
      assert(/onboarding/.test(text) && /\b3\b/.test(text), `the row shows tags and 3 steps: ${text}`);
      await assertNoInjection(a);
      await shot(a, 'workflows-list');
    });

    await steps.step('search, status filter and sort narrow the list and live in the address', async () => {
      const other = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      assert(other.status === 200, 'the workflow is readable');
      await a.getByLabel('Search').fill('no such workflow');
      await waitText(a, 'No workflows match');
      assert(new URL(a.url()).searchParams.get('q') === 'no such workflow', `the search is in the address: ${a.url()}`);
      await shot(a, 'workflows-no-match');
      await click(a, 'button', 'Clear search and filters');
      await byRole(a, 'link', workflowName).waitFor({ timeout: TIMEOUT });
      await a.getByLabel('Status').selectOption('active');
      await waitText(a, 'No workflows match');
      await a.getByLabel('Status').selectOption('needs_review');
      await byRole(a, 'link', workflowName).waitFor({ timeout: TIMEOUT });
      await a.getByRole('button', { name: /^Name/ }).click();
      await a.waitForFunction(() => new URL(location.href).searchParams.get('sort') === 'name', null, { timeout: TIMEOUT });
      await a.goto(`${base}/workflows`);
    });

    await steps.step('the review page shows the steps in order with thumbnails and AI labels', async () => {
      await click(a, 'link', workflowName);
      await waitPath(a, `/workflows/${workflowId}`);
      await byRole(a, 'heading', workflowName).waitFor({ timeout: TIMEOUT });
      const titles = await a.$$eval('li[data-testid^=step-] h3', (hs) => hs.map((h) => h.textContent));
      assert(titles.length === 3 && /Step 1/.test(titles[0]) && /Step 3/.test(titles[2]), `steps in order: ${JSON.stringify(titles)}`);
      // Thumbnails are made off the request path; wait until every one has loaded.
      await a.waitForFunction(() => [...document.querySelectorAll('li[data-testid^=step-] img')].filter((i) => i.complete && i.naturalWidth > 0).length === 3, null, { timeout: TIMEOUT }).catch(async () => {
        await a.reload();
        await a.waitForFunction(() => [...document.querySelectorAll('li[data-testid^=step-] img')].filter((i) => i.complete && i.naturalWidth > 0).length === 3, null, { timeout: TIMEOUT });
      });
      const detail = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      assert(detail.json.data.steps.every((st) => st.ai_confidence !== null), `every step is labeled: ${JSON.stringify(detail.json.data.steps.map((st) => st.ai_confidence))}`);
      await waitText(a, 'AI confidence');
      await assertNoInjection(a);
      await shot(a, 'review');
    });

    await steps.step('a step’s screenshot opens with the target outlined where the element was', async () => {
      await click(a, 'button', 'View the screenshot of step 3');
      const dialog = a.getByRole('dialog');
      await dialog.waitFor({ timeout: TIMEOUT });
      await a.waitForFunction(() => { const i = document.querySelector('[role=dialog] img'); return i && i.complete && i.naturalWidth > 0; }, null, { timeout: TIMEOUT });
      const geo = await a.evaluate(() => {
        const img = document.querySelector('[role=dialog] img').getBoundingClientRect();
        const box = document.querySelector('[data-testid=target-box]').getBoundingClientRect();
        return { img: { x: img.x, y: img.y, w: img.width, h: img.height }, box: { x: box.x, y: box.y, w: box.width, h: box.height } };
      });
      const button = await (await fetch(fixtureUrl)).text();
      assert(button.includes('Start trial'), 'fixture has the button');
      // The box must sit inside the image, in the lower half of the form where "Start trial" is.
      const rel = { x: (geo.box.x - geo.img.x) / geo.img.w, y: (geo.box.y - geo.img.y) / geo.img.h, w: geo.box.w / geo.img.w, h: geo.box.h / geo.img.h };
      assert(rel.x > 0.2 && rel.x < 0.6 && rel.y > 0.2 && rel.y < 0.95 && rel.w > 0.03 && rel.w < 0.3 && rel.h > 0.02 && rel.h < 0.15, `target box in the wrong place: ${JSON.stringify(rel)}`);
      await shot(a, 'review-screenshot');
      await a.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: TIMEOUT });
      const focused = await a.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      assert(focused === 'View the screenshot of step 3', `focus returns to the thumbnail, is on ${focused}`);
    });

    await steps.step('the admin edits a label in place; it saves and is marked edited', async () => {
      await click(a, 'button', 'Edit label of step 1');
      const input = byRole(a, 'textbox', 'Label of step 1');
      await input.fill(`Company name ${hostileText}`);
      await input.press('Enter');
      await waitText(a, 'Saved');
      await a.locator('[data-testid^=step-]').first().getByText('✎ Edited label').waitFor({ timeout: TIMEOUT });
      const res = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      const step = res.json.data.steps[0];
      assert(step.field_label === `Company name ${hostileText}` && step.label_edited === true, `server has the edit: ${JSON.stringify({ l: step.field_label, e: step.label_edited })}`);
      await assertNoInjection(a);
      await shot(a, 'review-label-edited');
    });

    await steps.step('a change made elsewhere meanwhile is not overwritten (ETag conflict), reload resolves it', async () => {
      const current = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      const put = await apiCall(base, adminToken, 'PUT', `/api/workflows/${workflowId}`, { tags: ['onboarding', 'e2e', 'sales'] }, { 'If-Match': current.headers.get('etag') });
      assert(put.status === 200, `the other admin's save answered ${put.status}`);
      await fill(a, 'input[name=name]', `${workflowName} (reviewed)`);
      await click(a, 'button', 'Save details');
      await waitText(a, 'someone changed this workflow since you opened it');
      await waitText(a, 'This workflow changed elsewhere');
      await shot(a, 'review-conflict');
      await click(a, 'button', 'Reload workflow');
      await a.waitForFunction(() => document.querySelector('input[name=tags]')?.value === 'onboarding, e2e, sales', null, { timeout: TIMEOUT });
      await click(a, 'button', 'Save details');
      await waitText(a, 'Details saved');
      workflowName = `${workflowName} (reviewed)`;
      await byRole(a, 'heading', workflowName).waitFor({ timeout: TIMEOUT });
    });

    await steps.step('value kinds: the username step says "your username", no step quotes the admin’s values; a kind changed in the review rewrites the instruction', async () => {
      const username = `ada-admin-${stamp}`;
      const title = 'Q3 Report';
      const id = await recordWikiWorkflow(browser, base, adminToken, `${fixture.base}/wiki-pages.html`, 'Create a wiki page', username, title);
      const labeled = await waitForStatus(base, adminToken, id, ['needs_review'], 20_000);
      const recorded = labeled.json.data.steps;
      const facts = recorded.map((st) => ({ kind: st.action_data?.value_kind ?? null, from: st.action_data?.value_from ?? null, label: st.field_label, instruction: st.instruction }));
      assert(facts[0].kind === 'personal' && facts[1].kind === 'free' && facts[3].from === 2, `recorded kinds and link: ${JSON.stringify(facts)}`);
      assert(/your username/i.test(facts[0].instruction ?? ''), `the username step says "your username": ${JSON.stringify(facts[0])}`);
      const texts = JSON.stringify(facts.map((f) => [f.label, f.instruction]));
      assert(!texts.includes(username) && !texts.includes(title), `no label or instruction quotes the admin's values: ${texts}`);

      const v = await adminContext.newPage();
      v.on('pageerror', (e) => errors.push(`value-kind page: ${e.message}`));
      await v.goto(`${base}/workflows/${id}`);
      const card = (n) => v.locator(`[data-testid=step-${recorded[n].id}]`);
      const instruction = (n) => byRole(v, 'button', `Edit instruction of step ${n + 1}`).innerText();
      const checkedKind = (n) => card(n).locator('input[type=radio]:checked').getAttribute('value', { timeout: TIMEOUT });
      await byRole(v, 'heading', 'Create a wiki page').waitFor({ timeout: TIMEOUT });
      const shown = [await checkedKind(0), await checkedKind(1), await card(2).locator('input[type=radio]').count(), await card(3).locator('input[type=radio]').count()];
      assert(shown[0] === 'personal' && shown[1] === 'free' && shown[2] === 0 && shown[3] === 0, `the review page shows the kinds (clicks have none): ${JSON.stringify(shown)}`);
      assert(/your username/i.test(await instruction(0)), 'the review page shows "your username"');
      await card(3).getByText(/^Shows the value typed in step 2/).waitFor({ timeout: TIMEOUT });
      // The admin decides the title is the task's own: "Fixed" quotes it.
      await card(1).locator('label', { hasText: 'Fixed' }).click();
      await card(1).getByText('Saved', { exact: true }).waitFor({ timeout: TIMEOUT });
      await v.waitForFunction((n) => document.querySelector(`[aria-label="Edit instruction of step ${n}"]`)?.textContent?.includes('Q3 Report'), 2, { timeout: TIMEOUT });
      const after = (await apiCall(base, adminToken, 'GET', `/api/workflows/${id}`)).json.data.steps[1];
      assert(after.action_data?.value_kind === 'fixed' && after.instruction.includes(title), `the server has the kind and the new instruction: ${JSON.stringify({ k: after.action_data?.value_kind, i: after.instruction })}`);
      assert((await checkedKind(1)) === 'fixed', 'the control shows Fixed');
      await v.waitForLoadState('load').catch(() => {});
      await sleep(200);
      await v.screenshot({ path: path.join(repoRoot, 'build/e2e-screenshots/value-kind-review.png'), fullPage: true });
      await shot(v, 'value-kind-review');
      await v.close();
    });

    await steps.step('approve publishes the workflow', async () => {
      await dismissToasts(a);
      await click(a, 'button', 'Approve and publish');
      await waitText(a, 'Approved: the workflow is active');
      const res = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      assert(res.json.data.status === 'active', `status is ${res.json.data.status}`);
      await shot(a, 'review-approved');
    });

    await steps.step('the member sees the published workflow, read-only', async () => {
      await m.goto(`${base}/workflows`);
      await byRole(m, 'link', workflowName).waitFor({ timeout: TIMEOUT });
      await shot(m, 'workflows-member');
      await click(m, 'link', workflowName);
      await byRole(m, 'heading', workflowName).waitFor({ timeout: TIMEOUT });
      await waitText(m, 'Company name');
      assert((await byRole(m, 'button', 'Edit label of step 1').count()) === 0, 'a member cannot edit labels');
      assert((await byRole(m, 'button', 'Approve and publish').count()) === 0 && (await byRole(m, 'button', 'Archive').count()) === 0, 'a member cannot publish or archive');
      assert((await byRole(m, 'button', 'Delete step 1').count()) === 0, 'a member cannot delete steps');
      await assertNoInjection(m);
      await shot(m, 'review-member');
    });

    await steps.step('a notification arrives live in the bell', async () => {
      const probe = await apiCall(base, adminToken, 'GET', '/api/notifications/unread-count');
      assertEndpoint(probe, 'notifications');
      const probeEvents = await fetch(`${base}/api/events?access_token=${encodeURIComponent(adminToken)}`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      assert(probeEvents && probeEvents.status === 200, `GET /api/events answers 200 (it answered ${probeEvents?.status ?? 'nothing within 2 s'})`);
      probeEvents?.body?.cancel().catch(() => {});
      await a.goto(`${base}/workflows`);
      const bell = a.getByRole('button', { name: /^Notifications/ });
      await bell.waitFor({ timeout: TIMEOUT });
      const before = (await bell.getAttribute('aria-label')) ?? '';
      await a.waitForFunction(() => document.querySelector('[data-live-status]')?.getAttribute('data-live-status') === 'open', null, { timeout: TIMEOUT });
      // A workflow breaking notifies the admins: report failing runs as the extension would.
      await triggerNotification(base, adminToken, workflowId);
      console.log(`  waiting for the notification (three failed runs reported); bell was "${before}"`);
      await a.waitForFunction((b) => { const el = [...document.querySelectorAll('button')].find((x) => x.getAttribute('aria-label')?.startsWith('Notifications')); return el && el.getAttribute('aria-label') !== b; }, before, { timeout: 30_000 });
      const unreadBefore = Number(/(\d+) unread/.exec(before)?.[1] ?? 0);
      const after = (await bell.getAttribute('aria-label')) ?? '';
      assert(Number(/(\d+) unread/.exec(after)?.[1] ?? 0) > unreadBefore, `the unread count must rise: ${before} → ${after}`);
      await shot(a, 'notifications-badge');
      await bell.click();
      const panel = a.getByRole('region', { name: 'Notifications' });
      await panel.waitFor({ timeout: TIMEOUT });
      await panel.getByRole('link').first().waitFor({ timeout: TIMEOUT });
      await shot(a, 'notifications-open');
      await click(a, 'link', 'See all notifications');
      await waitPath(a, '/notifications');
      await a.getByRole('listitem').first().waitFor({ timeout: TIMEOUT });
      await shot(a, 'notifications-page');
    });

    await steps.step('export every format from the menu', async () => {
      const probe = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}/export?format=markdown`);
      assertEndpoint(probe, 'export');
      await a.goto(`${base}/workflows/${workflowId}`);
      await byRole(a, 'heading', workflowName).waitFor({ timeout: TIMEOUT });
      const formats = [
        ['Chrome DevTools recording', (t) => { recording = JSON.parse(t); return Array.isArray(recording.steps) && recording.steps.length >= 3; }],
        ['Playwright test', (t) => /@playwright\/test|playwright/.test(t) && /test\(/.test(t)],
        ['How-to document (Markdown)', (t) => /1\./.test(t) && t.includes('Company name') && !/<script>window/.test(t.replace(/&lt;|\\</g, ''))],
        ['How-to document (printable HTML)', (t) => /<ol|<li|<h\d/i.test(t) && !t.includes('<script>window.__xss')],
      ];
      for (const [label, check] of formats) {
        await dismissToasts(a);
        await click(a, 'button', 'Export');
        if (label === 'Chrome DevTools recording') await shot(a, 'review-export-menu');
        const [download] = await Promise.all([a.waitForEvent('download', { timeout: TIMEOUT }), a.getByRole('button', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')}`) }).click()]);
        const file = await download.path();
        const text = readFileSync(file, 'utf8');
        assert(check(text), `${label} export looks wrong (${download.suggestedFilename()}):\n${text.slice(0, 600)}`);
        console.log(`  ${label}: ${download.suggestedFilename()} (${text.length} bytes)`);
      }
    });

    await steps.step('the exported DevTools recording replays against the fixture app with @puppeteer/replay', async () => {
      assert(recording, 'the export step downloaded a DevTools recording');
      const { createRunner, parse, PuppeteerRunnerExtension } = await import('@puppeteer/replay');
      const puppeteer = (await import('puppeteer-core')).default;
      const pBrowser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, defaultViewport: VIEWPORT });
      try {
        const page = await pBrowser.newPage();
        const runner = await createRunner(parse(recording), new PuppeteerRunnerExtension(pBrowser, page, { timeout: 10_000 }));
        await runner.run();
        const done = await page.$eval('#done', (el) => (el.hidden ? '' : el.textContent));
        assert(done === 'Trial started for Initech on the pro plan', `the replay did not complete the form: ${JSON.stringify(done)}`);
      } finally {
        await pBrowser.close();
      }
    });

    await steps.step('import a DevTools recording as a new workflow', async () => {
      assert(recording, 'the export step downloaded a DevTools recording to import');
      const probe = await apiCall(base, adminToken, 'POST', '/api/workflows/import', {});
      assertEndpoint(probe, 'import');
      await a.goto(`${base}/workflows`);
      const imported = { ...recording, title: `Imported trial ${stamp}` };
      const chooser = a.waitForEvent('filechooser', { timeout: TIMEOUT });
      await click(a, 'button', 'Import recording');
      await (await chooser).setFiles({ name: 'trial.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(imported)) });
      await waitText(a, 'Recording imported');
      await byRole(a, 'link', `Imported trial ${stamp}`).waitFor({ timeout: 30_000 });
      await shot(a, 'workflows-imported');
    });

    await steps.step('the health page shows the success rate chart, runs and failing steps', async () => {
      const probe = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}/health?days=30`);
      assertEndpoint(probe, 'health');
      await a.goto(`${base}/workflows/${workflowId}/health`);
      await byRole(a, 'heading', `Health: ${workflowName}`).waitFor({ timeout: TIMEOUT });
      await waitText(a, 'Success rate over time');
      await shot(a, 'health');
    });

    await steps.step('a run completed with skips shows as its own outcome on the health page', async () => {
      const runId = `run-skips-${stamp}`;
      const detail = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      const skippedStep = detail.json.data.steps[1];
      const res = await apiCall(base, adminToken, 'POST', `/api/workflows/${workflowId}/health-logs`, {
        entries: [
          { client_id: `e2e-skip-${stamp}-1`, run_id: runId, step_id: skippedStep.id, status: 'skipped', error_type: 'element_not_found' },
          { client_id: `e2e-skip-${stamp}-2`, run_id: runId, step_id: null, status: 'completed_with_skips' },
        ],
      });
      assertEndpoint(res, 'health-logs');
      assert(res.status === 200, `health-logs takes completed_with_skips and skipped entries: it answered ${res.status}: ${res.text.slice(0, 200)}`);
      const health = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}/health?days=30`);
      const runs = health.json?.data?.recent_runs ?? [];
      assert(runs.some((r) => r.status === 'completed_with_skips'), `the health report lists the completed_with_skips run (recent runs: ${JSON.stringify(runs.map((r) => r.status))})`);
      await a.goto(`${base}/workflows/${workflowId}/health`);
      await byRole(a, 'heading', `Health: ${workflowName}`).waitFor({ timeout: TIMEOUT });
      await waitText(a, 'Completed · steps skipped');
      const legend = await a.locator('.recharts-legend-wrapper').innerText();
      assert(legend.includes('Completed with skips'), `the chart's legend names the series: ${legend}`);
      const days = health.json.data.days;
      assert(days.some((d) => (d.completed_with_skips ?? 0) > 0), `a day counts the run: ${JSON.stringify(days)}`);
      await shot(a, 'health-with-skips');
    });

    await steps.step('a heal filed for review shows both crops and is approved in one click', async () => {
      const probe = await apiCall(base, adminToken, 'GET', '/api/heal-reviews');
      assertEndpoint(probe, 'heal reviews');
      // A walkthrough that cannot find "Start trial" (the page moved it) asks the server to heal;
      // one candidate of middling score is used for the session and filed for an admin.
      const detail = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      const step = detail.json.data.steps.find((st) => st.selectors?.primary === '#start') ?? detail.json.data.steps.at(-1);
      const ctx = await browser.newContext({ viewport: VIEWPORT });
      const pg = await ctx.newPage();
      await pg.goto(fixtureUrl);
      await pg.addStyleTag({ content: '#start { margin-left: 180px; }' });
      await pg.evaluate(() => { document.getElementById('start').id = 'start-now'; });
      const moved = await pg.locator('#start-now').evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; });
      const current = (await pg.screenshot()).toString('base64');
      await ctx.close();
      const heal = await apiCall(base, adminToken, 'POST', `/api/workflows/${workflowId}/auto-heal`, {
        step_id: step.id,
        candidates: [{ selector: '#start-now', element_meta: { tag_name: 'button', accessible_name: 'Start trial', inner_text: 'Start trial', bounding_box: moved }, deterministic_score: 70 }],
        current_screenshot: current,
        page_url: fixtureUrl,
      });
      console.log(`  auto-heal answered ${heal.status}: ${JSON.stringify(heal.json?.data ?? heal.json)}`);
      await a.goto(`${base}/heal-reviews`);
      await byRole(a, 'heading', 'Heal reviews').waitFor({ timeout: TIMEOUT });
      const reviewId = heal.json?.data?.review_id;
      assert(reviewId, `a candidate of score 70 is filed for review (decision ${JSON.stringify(heal.json?.data ?? heal.status)})`);
      const card = a.locator(`[data-testid=heal-review-${reviewId}]`);
      await card.waitFor({ timeout: TIMEOUT });
      await a.waitForFunction((id) => [...document.querySelectorAll(`[data-testid=heal-review-${id}] img`)].every((i) => i.complete && i.naturalWidth > 0), reviewId, { timeout: TIMEOUT });
      await shot(a, 'heal-reviews');
      await card.getByRole('button', { name: 'Approve' }).click();
      await waitText(a, 'now prefers the healed element');
      await card.waitFor({ state: 'detached', timeout: TIMEOUT });
      const after = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      const healed = after.json.data.steps.find((st) => st.id === step.id);
      // The candidate becomes the preferred shared variant; the recorded selectors stay.
      assert(Array.isArray(healed.selector_variants), `the step carries selector_variants: ${JSON.stringify(healed)}`);
      const v = healed.selector_variants.find((x) => x.selectors?.primary === '#start-now');
      assert(v && v.status === 'shared' && v.preferred === true, `the approved candidate is a shared, preferred variant: ${JSON.stringify(healed.selector_variants)}`);
      assert(healed.selector_variants[0]?.source === 'recorded' && healed.selector_variants[0]?.selectors?.primary === '#start', `the recorded selectors stay first: ${JSON.stringify(healed.selector_variants[0])}`);
      approvedReviewId = reviewId;
    });

    await steps.step('a decided heal review says who decided it', async () => {
      assert(approvedReviewId, 'the step before approved a heal review');
      const list = await apiCall(base, adminToken, 'GET', '/api/heal-reviews?status=approved');
      const review = list.json?.data?.find((r) => r.id === approvedReviewId);
      assert(review, `the approved review ${approvedReviewId} is listed (GET answered ${list.status})`);
      assert('resolution' in review && Array.isArray(review.votes), `the review carries resolution and votes: ${JSON.stringify(review)}`);
      await click(a, 'tab', 'Approved');
      const line = a.locator(`[data-testid=heal-review-resolution-${approvedReviewId}]`);
      await line.waitFor({ timeout: TIMEOUT });
      const text = await line.innerText();
      assert(/^Approved by (Ada Lovelace|you)\b/.test(text), `the decided review names its admin: ${JSON.stringify(text)}`);
      await shot(a, 'heal-reviews-approved');
    });

    await steps.step('heals show on the review page as selector variants: an admin’s clear winner is shared, a colleague’s confirmation waits', async () => {
      const detail = await apiCall(base, adminToken, 'GET', `/api/workflows/${workflowId}`);
      assert(Array.isArray(detail.json.data.steps[0]?.selector_variants), 'steps carry selector_variants');
      const plan = detail.json.data.steps.find((st) => st.selectors?.primary === '#plan') ?? detail.json.data.steps[1];
      const company = detail.json.data.steps.find((st) => st.selectors?.primary === '#company') ?? detail.json.data.steps[0];
      // The walkthrough cannot find "#plan" (renamed) and sends one clear winner: an admin's heal is shared at once.
      const heal = await apiCall(base, adminToken, 'POST', `/api/workflows/${workflowId}/auto-heal`, {
        step_id: plan.id,
        candidates: [{ selector: '#plan-choice', selectors: { primary: '#plan-choice', css: 'form select[name=plan]', aria: 'aria/Plan[role="combobox"]' }, element_meta: { tag_name: 'select', role: 'combobox', accessible_name: 'Plan', bounding_box: { x: 100, y: 200, width: 240, height: 36 } }, deterministic_score: 96 }],
        current_page_state_hash: `sha256:e2e-plan-${stamp}`,
        page_url: fixtureUrl,
      });
      console.log(`  auto-heal (clear winner, admin) answered ${heal.status}: ${JSON.stringify(heal.json?.data ?? heal.json)}`);
      assert(heal.status === 200 && heal.json?.data?.found === true, `the clear winner is found: ${heal.text}`);
      assert('scope' in heal.json.data, `auto-heal answers with a scope: ${JSON.stringify(heal.json.data)}`);
      assert(heal.json.data.scope === 'shared' && heal.json.data.should_update === true, `an admin's clear winner is shared: ${JSON.stringify(heal.json.data)}`);
      // A colleague acted on a healed "Company name" field: their confirmation is a pending variant.
      const vote = await apiCall(base, memberToken, 'POST', `/api/workflows/${workflowId}/steps/${company.id}/heal-votes`, {
        vote: 'confirm',
        how: 'acted',
        selector: '#company-name',
        selectors: { primary: '#company-name', css: 'input[name=company]' },
        element_meta: { tag_name: 'input', role: 'textbox', accessible_name: 'Company name', bounding_box: { x: 100, y: 120, width: 240, height: 36 } },
        page_state_hash: `sha256:e2e-company-${stamp}`,
        page_url: fixtureUrl,
      });
      assert(vote.status === 200, `heal-votes answered ${vote.status}: ${vote.text}`);
      assert(vote.json.data.status === 'pending', `one colleague's confirmation waits for more: ${JSON.stringify(vote.json.data)}`);
      await a.goto(`${base}/workflows/${workflowId}`);
      await byRole(a, 'heading', workflowName).waitFor({ timeout: TIMEOUT });
      const planCard = a.locator(`[data-testid=step-${plan.id}]`);
      const planSummary = await planCard.locator(`[data-testid=variants-summary-${plan.id}]`).innerText();
      assert(/^2 ways to find this element$/.test(planSummary), `the plan step lists the recorded and the healed variant: ${planSummary}`);
      await planCard.getByText('Selectors and healing history').click();
      const ways = planCard.getByRole('list', { name: /^Ways to find the element/ });
      await ways.waitFor({ timeout: TIMEOUT });
      const waysText = await ways.innerText();
      assert(/Recorded/.test(waysText) && /Healed by similarity|Healed with AI|Approved by/.test(waysText) && /Shared/.test(waysText) && waysText.includes('#plan-choice') && waysText.includes('#plan'), `the variants read: ${waysText}`);
      const companyCard = a.locator(`[data-testid=step-${company.id}]`);
      const summary = await companyCard.locator(`[data-testid=variants-summary-${company.id}]`).innerText();
      assert(/1 waiting for confirmation/.test(summary), `the company step has a variant waiting: ${summary}`);
      await companyCard.getByText('Selectors and healing history').click();
      const text = await companyCard.getByRole('list', { name: /^Ways to find the element/ }).innerText();
      assert(/Waiting for confirmation/.test(text) && text.includes(`Confirmed by ${member.name}`), `the pending variant names who confirmed it: ${text}`);
      await assertNoInjection(a);
      await planCard.scrollIntoViewIfNeeded();
      await shot(a, 'review-selector-variants');
    });

    await steps.step('rotating the invite link asks first, and the old link stops working', async () => {
      await a.goto(`${base}/settings`);
      await waitText(a, 'Showing 1–2 of 2');
      await click(a, 'button', 'Rotate link…');
      await a.waitForSelector('[role=alertdialog]', { timeout: TIMEOUT });
      await shot(a, 'settings-rotate-confirm');
      await click(a, 'button', 'Replace link');
      await waitText(a, 'New invite link created');
      const next = await a.$eval('#invite-link', (el) => el.value);
      assert(next !== inviteLink, 'the link must change');
      const visitor = await browser.newContext({ viewport: VIEWPORT });
      const v = await visitor.newPage();
      await v.goto(inviteLink);
      await waitText(v, 'This invite link is not valid any more');
      await shot(v, 'join-invalid-link');
      await visitor.close();
      inviteLink = next;
    });

    await steps.step('dialogs work from the keyboard: Enter opens, focus on Cancel, Escape closes', async () => {
      await dismissToasts(a);
      await byRole(a, 'button', 'Rotate link…').focus();
      await a.keyboard.press('Enter');
      await a.waitForSelector('[role=alertdialog]', { timeout: TIMEOUT });
      const focused = await a.evaluate(() => document.activeElement?.textContent);
      assert(focused === 'Cancel', `focus should start on Cancel, is on ${JSON.stringify(focused)}`);
      await a.keyboard.press('Tab');
      await a.keyboard.press('Tab');
      const wrapped = await a.evaluate(() => document.activeElement?.textContent);
      assert(wrapped === 'Cancel', `Tab should stay inside the dialog, is on ${JSON.stringify(wrapped)}`);
      await a.keyboard.press('Escape');
      await a.waitForFunction(() => !document.querySelector('[role=alertdialog]'), null, { timeout: TIMEOUT });
      const back = await a.evaluate(() => document.activeElement?.textContent);
      assert(back === 'Rotate link…', `focus should return to the opener, is on ${JSON.stringify(back)}`);
    });

    await steps.step('removing a member asks first; their session ends with a message', async () => {
      await dismissToasts(a);
      // The member's name holds quotes, so find the button by its row rather than by its label.
      await a.locator(`tr[data-testid=user-row-${memberId}] button`).click({ timeout: TIMEOUT });
      await a.waitForSelector('[role=alertdialog]', { timeout: TIMEOUT });
      await shot(a, 'settings-remove-confirm');
      await click(a, 'button', 'Remove from team');
      await waitText(a, 'was removed from the team');
      await waitText(a, 'Showing 1–1 of 1');
      await m.reload();
      await waitPath(m, '/login');
      await waitText(m, 'Your session has expired — please sign in again');
      await shot(m, 'sign-in-session-expired');
    });

    await steps.step('the admin signs out and back in with the keyboard', async () => {
      await click(a, 'button', 'Sign out');
      await waitPath(a, '/login');
      await waitText(a, 'You have signed out.');
      const token = await a.evaluate(() => localStorage.getItem('stepwise.token'));
      assert(token === null, 'the token must be forgotten');
      await a.keyboard.type(admin.email);
      await a.keyboard.press('Tab');
      await a.keyboard.type(admin.password);
      await a.keyboard.press('Enter');
      await waitPath(a, '/workflows');
      await byRole(a, 'link', workflowName).waitFor({ timeout: TIMEOUT });
    });

    await steps.step('an unknown address shows the not-found page', async () => {
      await a.goto(`${base}/no-such-page`);
      await waitText(a, 'This page does not exist');
      await shot(a, 'not-found');
    });

    await steps.step('the admin sets a webhook: a loopback address is refused with the reason, a public one is saved, then removed', async () => {
      await a.goto(`${base}/settings`);
      await waitText(a, 'Showing 1–1 of 1');
      // Signing out ended the earlier session; ask the server with the current one.
      const token = await a.evaluate(() => localStorage.getItem('stepwise.token'));
      const card = a.getByRole('region', { name: 'Webhook', exact: true });
      const current = card.getByTestId('webhook-current');
      const input = card.getByLabel('Webhook URL', { exact: true });
      await input.waitFor({ timeout: TIMEOUT });
      assert((await current.textContent()) === 'No webhook', `a new company has no webhook, the card says ${JSON.stringify(await current.textContent())}`);

      const loopback = 'http://127.0.0.1:9/hook';
      await input.fill(loopback);
      await click(a, 'button', 'Save webhook');
      await a.waitForSelector('input[name=webhook_url][aria-invalid=true]', { timeout: TIMEOUT });
      const reason = await a.$eval('input[name=webhook_url]', (el) => document.getElementById(el.getAttribute('aria-describedby')?.split(' ')[0] ?? '')?.textContent ?? '');
      assert(/^The webhook URL points at a loopback address \(127\.0\.0\.1\)/.test(reason), `the refusal names the loopback address, got ${JSON.stringify(reason)}`);
      assert((await input.inputValue()) === loopback, `the field keeps what was typed, has ${JSON.stringify(await input.inputValue())}`);
      assert((await current.textContent()) === 'No webhook', 'a refused URL is not shown as the webhook');
      assert(await input.evaluate((el) => document.activeElement === el), 'focus is on the field with the problem');
      assert(!(await a.evaluate(() => document.body.innerText.includes('Webhook saved'))), 'a refusal shows no success');
      const refused = await apiCall(base, token, 'GET', '/api/company');
      assert(refused.json?.data?.settings?.webhook_url === undefined, `the server kept nothing: ${JSON.stringify(refused.json?.data?.settings)}`);
      await shot(a, 'settings-webhook-refused');

      // A public literal address: accepted without a DNS lookup, and nothing is sent when it is saved.
      const hook = 'https://93.184.216.34/stepwise';
      await input.fill(hook);
      await click(a, 'button', 'Save webhook');
      await waitText(a, 'Webhook saved');
      await a.waitForFunction((u) => document.querySelector('[data-testid=webhook-current]')?.textContent === u, hook, { timeout: TIMEOUT });
      assert((await input.getAttribute('aria-invalid')) === null, 'the field is no longer marked invalid');
      const saved = await apiCall(base, token, 'GET', '/api/company');
      assert(saved.json?.data?.settings?.webhook_url === hook, `the server keeps the webhook: ${JSON.stringify(saved.json?.data?.settings)}`);
      const secret = card.getByLabel('Signing secret', { exact: true });
      assert((await secret.getAttribute('type')) === 'password', 'the signing secret is masked');
      await click(a, 'button', 'Show signing secret');
      assert((await secret.getAttribute('type')) === 'text' && (await secret.inputValue()) === saved.json.data.webhook_secret, 'Show reveals the company’s signing secret');
      await click(a, 'button', 'Copy signing secret');
      await waitText(a, 'The secret is on your clipboard.');
      const clipboard = await a.evaluate(() => navigator.clipboard.readText().catch((e) => `unreadable: ${e}`));
      assert(clipboard === saved.json.data.webhook_secret, 'the clipboard holds the signing secret');
      await shot(a, 'settings-webhook-saved');
      await click(a, 'button', 'Hide signing secret');

      await dismissToasts(a);
      await click(a, 'button', 'Remove webhook');
      const dialog = a.getByRole('alertdialog', { name: 'Remove the webhook?', exact: true });
      await dialog.waitFor({ timeout: TIMEOUT });
      await dialog.getByRole('button', { name: 'Remove webhook', exact: true }).click({ timeout: TIMEOUT });
      await waitText(a, 'Webhook removed');
      await a.waitForFunction(() => document.querySelector('[data-testid=webhook-current]')?.textContent === 'No webhook', null, { timeout: TIMEOUT });
      assert((await input.inputValue()) === '', 'the field is emptied');
      assert(await input.evaluate((el) => document.activeElement === el), 'focus moves to the field once the Remove button is gone');
      const removed = await apiCall(base, token, 'GET', '/api/company');
      assert(removed.json?.data?.settings?.webhook_url === undefined, `the server removed the webhook: ${JSON.stringify(removed.json?.data?.settings)}`);
      await shot(a, 'settings-webhook-removed');
    });

    await steps.step('no uncaught errors in the pages', async () => {
      assert(errors.length === 0, errors.join('\n'));
    });
  } finally {
    await browser.close().catch(() => {});
    await fixture.stop();
    if (staticServer) await staticServer.stop();
    const log = await server.stop();
    if (steps.failed) console.log(`Server log: ${log}`);
    else rmSync(server.dataDir, { recursive: true, force: true });
  }

  if (process.env.JUNIT_DIR) steps.writeJunit(path.join(process.env.JUNIT_DIR, 'dashboard-e2e.xml'));
  const passed = steps.cases.filter((c) => !c.error && !c.skipped).length;
  const skipped = steps.cases.filter((c) => c.skipped).length;
  console.log(`${passed}/${steps.cases.length} steps passed, ${skipped} skipped; ${shotCount} screenshots in ${path.relative(repoRoot, screenshotDir)}`);
  process.exit(steps.failed ? 1 : 0);
}

/**
 * Makes the server notify the admins the way the product does: the extension reports three failed
 * runs in a row (POST /api/workflows/{id}/health-logs), the workflow becomes broken and the admins
 * are notified.
 */
async function triggerNotification(base, token, workflowId) {
  const entries = [1, 2, 3].map((i) => ({
    client_id: `e2e-${Date.now().toString(36)}-${i}`,
    run_id: `run-${Date.now().toString(36)}-${i}`,
    step_id: null,
    status: 'failed',
    error_type: 'element_not_found',
    error_message: 'The "Start trial" button was not found',
  }));
  const res = await apiCall(base, token, 'POST', `/api/workflows/${workflowId}/health-logs`, { entries });
  assert(res.status === 200, `health-logs answered ${res.status}: ${res.text}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
