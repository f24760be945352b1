#!/usr/bin/env node
// Connect without typing and start a guide from a link (issue 15, items 4 and 5): the extension as
// the server ships it (GET /api/extension.zip, unzipped), in Debian's Chromium, against the real
// server serving the dashboard at its PUBLIC_URL and a fixture web app.
//   - the zip: server.json names the server, externally_connectable lets its origin talk;
//   - the unzipped folder as it is: the popup's server field shows the server; the dashboard's
//     "Get the extension" page finds it and its Connect button signs it in (the popup then shows
//     the user, no typing); a share link, with no access to websites yet, shows the extension's own
//     start page in the tab (the access prompt needs a person: headless Chromium cannot answer it);
//   - the folder with host access granted (as every suite here, "the user accepted the prompt"):
//     the share link opens the workflow's start page and the walkthrough starts there; a page on
//     another origin cannot connect it (listed origin: refused, the code unused; unlisted: Chrome
//     gives it no chrome.runtime at all);
//   - no extension: the share page says how to get it;
//   - an organisation's policy (/etc/chromium/policies/managed, removed in `finally`): headless
//     Chromium hands it to the unpacked extension (its id comes from the manifest key), the popup's
//     server is read-only with the company hint, and the extension refuses any other server.
// Screenshots: build/e2e-screenshots/get-extension.png, connected.png, share-link.png,
// share-no-extension.png, share-needs-access.png, popup-connected.png, popup-managed.png.
// Writes $JUNIT_DIR/extension-connect-e2e.xml when JUNIT_DIR is set.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serverServesDashboard, startServer } from '../dashboard/harness.mjs';
import { startFixtureApp } from './fixture-app.mjs';
import { CHROMIUM, Suite, api, assert, launch, repoRoot, serviceWorker, waitFor, waitStep } from './harness.mjs';

const EXTENSION_ID = 'mjbjapkbokledfpmbiomgedmlngbdmbh';
const SHOTS = path.join(repoRoot, 'build/e2e-screenshots');
mkdirSync(SHOTS, { recursive: true });
const shot = (name) => path.join(SHOTS, name);

const suite = new Suite('extension-connect-e2e');
const server = await startServer();
const app = await startFixtureApp();
const { call } = api(server.base);
const admin = { email: 'ada@acme.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@acme.test', password: 'member-password-1', name: 'Bob Member' };
const WORKFLOW = 'Sign in to Acme Books';
const state = { adminToken: null, memberToken: null, workflowId: null, zipDir: null, shareLink: null };
const browsers = [];

/** Chromium with an extension folder loaded (the harness's launch), closed at the end. */
async function withExtension(dir) {
  const launched = await launch(dir);
  browsers.push(launched.context);
  assert(launched.extensionId === EXTENSION_ID, `the manifest key gives the fixed id, got ${launched.extensionId}`);
  return launched.context;
}

/** A new one-time code for `token`'s user, made through the API. */
async function codeFor(token) {
  const r = await call('POST', '/api/auth/connect-codes', { token });
  assert(r.status === 201, `connect-codes: ${r.status} ${r.text}`);
  return r.json.data.code;
}

/** What the extension answers a page (or that the page has no chrome.runtime to ask with). */
function sendFromPage(page, message) {
  return page.evaluate(
    ([id, msg]) =>
      new Promise((resolve) => {
        if (typeof globalThis.chrome?.runtime?.sendMessage !== 'function') return resolve({ noRuntime: true });
        try {
          chrome.runtime.sendMessage(id, msg, (reply) => resolve({ reply: reply ?? null, lastError: chrome.runtime.lastError?.message ?? null }));
        } catch (e) {
          resolve({ thrown: String(e.message ?? e) });
        }
      }),
    [EXTENSION_ID, message],
  );
}

async function storedAuth(context) {
  const sw = await serviceWorker(context);
  return sw.evaluate(async () => (await chrome.storage.local.get('auth')).auth ?? null);
}

async function openPopup(context, query = '') {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html${query}`);
  return popup;
}

async function dashboardSignIn(page, who) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/workflows`);
}

try {
  await suite.test('setup: accounts, a published workflow, the dashboard served at PUBLIC_URL', async () => {
    assert(await serverServesDashboard(server.base), 'the server serves the dashboard at / (npm run build -w packages/dashboard)');
    const deep = await fetch(`${server.base}/guide/12345`);
    assert(deep.ok && (await deep.text()).includes('stepwise-dashboard'), `/guide/<id> falls back to the dashboard's index.html (got ${deep.status})`);
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Acme Books' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
    state.memberToken = join.json.data.token;
    const url = `${app.url}/login`;
    const page_context = { url, title: 'Sign in — Acme Books', viewport: { width: 1280, height: 800 } };
    const created = await call('POST', '/api/workflows', {
      token: state.adminToken,
      body: {
        metadata: { name: WORKFLOW, starting_url: url },
        steps: [
          { step_number: 1, action_type: 'input_commit', selectors: { primary: '#email', css: '#email' }, element_meta: { tag_name: 'input', id: 'email', type: 'email', label_text: 'Email', accessible_name: 'Email' }, page_context, action_data: { input_value: 'clerk@acme.test' } },
          { step_number: 2, action_type: 'click', selectors: { primary: '#sign_in', css: '#sign_in' }, element_meta: { tag_name: 'button', id: 'sign_in', inner_text: 'Sign in', accessible_name: 'Sign in' }, page_context },
        ],
      },
    });
    assert(created.status === 201, `create workflow: ${created.status} ${created.text}`);
    state.workflowId = created.json.data.workflow_id;
    for (const status of ['processing', 'needs_review', 'active']) {
      const cur = await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken });
      if (cur.json?.data?.status === 'active') break;
      await call('PUT', `/api/workflows/${state.workflowId}`, { token: state.adminToken, body: { status } });
    }
    const after = await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken });
    assert(after.json?.data?.status === 'active', `workflow not published: ${after.text}`);
  });

  await suite.test('GET /api/extension.zip: unzipped, it names this server and lets its origin connect', async () => {
    const res = await fetch(`${server.base}/api/extension.zip`);
    assert(res.status === 200, `extension.zip answered ${res.status}`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'stepwise-zip-'));
    const zip = path.join(tmp, 'stepwise-extension.zip');
    writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
    const dir = path.join(tmp, 'stepwise-extension');
    execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
    const serverJson = JSON.parse(readFileSync(path.join(dir, 'server.json'), 'utf8'));
    assert(serverJson.server_url === server.base, `server.json: ${JSON.stringify(serverJson)}`);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert(manifest.externally_connectable?.matches?.includes('http://127.0.0.1/*'), `matches: ${JSON.stringify(manifest.externally_connectable)}`);
    assert(manifest.storage?.managed_schema === 'managed_schema.json' && existsSync(path.join(dir, 'managed_schema.json')), 'the managed storage schema is packed');
    assert(!manifest.host_permissions, 'the shipped extension asks for website access at run time');
    for (const f of ['background.js', 'content.js', 'popup.html']) assert(existsSync(path.join(dir, f)), `${f} in the zip (have ${readdirSync(dir).join(', ')})`);
    state.zipDir = dir;
  }, { needs: ['setup: accounts, a published workflow, the dashboard served at PUBLIC_URL'] });

  await suite.test('the unzipped extension: the popup defaults to the server, the dashboard connects it without typing', async () => {
    const context = await withExtension(state.zipDir);
    const popup = await openPopup(context);
    const field = popup.getByLabel('Server URL');
    await field.waitFor({ timeout: 10_000 });
    assert((await field.inputValue()) === server.base, `the server field shows ${await field.inputValue()}, not the server the zip came from`);
    assert(!(await field.getAttribute('readonly')), 'without a policy the field can be changed');

    const page = await context.newPage();
    await dashboardSignIn(page, member);
    await page.getByRole('link', { name: 'Get the extension' }).click();
    await page.waitForURL(`${server.base}/extension`);
    const status = page.getByTestId('extension-status');
    await waitFor(async () => (await status.textContent()) === 'Installed, not signed in. Connect it below.', { message: `status: ${await status.textContent()}` });
    const download = page.getByRole('link', { name: 'Download the extension (.zip)' });
    assert((await download.getAttribute('href')) === '/api/extension.zip', 'the download link');
    await page.screenshot({ path: shot('get-extension.png'), fullPage: true });

    // Every answer the page gets from the extension, kept to look for the token in.
    await page.evaluate(() => {
      const rt = chrome.runtime;
      const send = rt.sendMessage.bind(rt);
      window.__answers = [];
      rt.sendMessage = (id, msg, cb) => send(id, msg, (reply) => (window.__answers.push(JSON.stringify({ msg, reply })), cb(reply)));
    });
    await page.getByRole('button', { name: 'Connect the extension' }).click();
    await waitFor(async () => (await status.textContent()) === `Installed and signed in as ${member.name} (${member.email}).`, { message: `status after connect: ${await status.textContent()}` });
    await page.screenshot({ path: shot('connected.png'), fullPage: true });
    const auth = await storedAuth(context);
    assert(auth?.serverUrl === server.base && auth.user.email === member.email && auth.user.role === 'regular', `stored sign-in: ${JSON.stringify(auth && { ...auth, token: '…' })}`);
    const answers = await page.evaluate(() => window.__answers);
    assert(answers.some((a) => a.includes('stepwise/connect')), `the page's messages: ${answers.join(' ')}`);
    assert(typeof auth.token === 'string' && auth.token.length > 20 && answers.every((a) => !a.includes(auth.token)), 'no answer to the page carries the token');
    const me = await call('GET', '/api/auth/me', { token: auth.token });
    assert(me.status === 200 && me.json.data.email === member.email, `the extension's token works: ${me.status}`);

    await popup.reload();
    await popup.getByTestId('who').waitFor({ timeout: 10_000 });
    assert((await popup.getByTestId('who').textContent()).includes(member.name), 'the popup shows the user');
    await popup.locator('body').screenshot({ path: shot('popup-connected.png') });

    // A share link, with no access to websites granted yet: the extension's own page in that tab,
    // where a click (a person's, which the browser's access prompt needs) starts the guide.
    await page.goto(`${server.base}/workflows`);
    await page.getByRole('button', { name: `Copy guide link of ${WORKFLOW}` }).click();
    const toast = page.getByText(/Anyone in your company with the Stepwise extension can open/);
    await toast.waitFor({ timeout: 10_000 });
    state.shareLink = (await toast.textContent()).match(/open (\S+) to follow/)?.[1];
    assert(state.shareLink === `${server.base}/guide/${state.workflowId}`, `the copied link: ${state.shareLink}`);
    const share = await context.newPage();
    await share.goto(state.shareLink);
    await share.waitForURL(/^chrome-extension:\/\/[a-z]+\/popup\.html\?tab=\d+&start=\d+$/, { timeout: 15_000 });
    const card = share.getByTestId('start-from-link');
    await card.waitFor({ timeout: 10_000 });
    const text = await card.textContent();
    assert(text.includes(WORKFLOW) && text.includes(new URL(app.url).host), `the start page: ${text}`);
    await share.getByRole('button', { name: 'Start the guide' }).waitFor();
    await share.screenshot({ path: shot('share-needs-access.png') });
  }, { needs: ['GET /api/extension.zip: unzipped, it names this server and lets its origin connect'] });

  await suite.test('with website access: the share link starts the walkthrough on the start page; other origins cannot connect', async () => {
    // The same folder with the host access the popup asks for at run time already granted.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stepwise-zip-access-'));
    cpSync(state.zipDir, dir, { recursive: true });
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.host_permissions = manifest.optional_host_permissions;
    delete manifest.optional_host_permissions;
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    const context = await withExtension(dir);

    // Not connected yet: the share page asks for it, and its button connects then starts.
    const page = await context.newPage();
    await dashboardSignIn(page, member);
    await page.goto(state.shareLink);
    await page.getByRole('button', { name: 'Connect and start the guide' }).click({ timeout: 15_000 });
    await page.waitForURL(`${app.url}/login`, { timeout: 15_000 });
    const o = await waitStep(page, 0);
    assert(o.spot && o.count.includes('1') && o.count.includes('2'), `step 1 of 2 spotlighted: ${JSON.stringify({ count: o.count, title: o.title, spot: o.spot })}`);
    await page.screenshot({ path: shot('share-link.png') });
    const run = await (await serviceWorker(context)).evaluate(async () => (await chrome.storage.session.get('run')).run);
    assert(run?.workflow?.id === state.workflowId && run.index === 0 && !run.finished, `the run: ${JSON.stringify(run && { id: run.workflow.id, index: run.index })}`);

    // A second share link, the extension connected now: straight to the start page.
    const again = await context.newPage();
    await again.goto(state.shareLink);
    await again.waitForURL(`${app.url}/login`, { timeout: 15_000 });
    await waitStep(again, 0);
    await again.close();

    // A page on a listed origin (the fixture app is on 127.0.0.1 too) that is not the server: the
    // extension refuses it and never sends its code anywhere (the code still works afterwards).
    const other = await context.newPage();
    await other.goto(`${app.url}/help`);
    const code = await codeFor(state.memberToken);
    const before = await storedAuth(context);
    const refused = await sendFromPage(other, { type: 'stepwise/connect', server_url: server.base, code });
    assert(refused.reply?.ok === false && refused.reply.error === 'not_allowed', `connect from ${app.url}: ${JSON.stringify(refused)}`);
    const selfServer = await sendFromPage(other, { type: 'stepwise/connect', server_url: app.url, code });
    assert(selfServer.reply?.ok === false, `connect to its own origin with a code of another server: ${JSON.stringify(selfServer)}`);
    const unused = await call('POST', '/api/auth/connect', { body: { code } });
    assert(unused.status === 200, `the refused code was never used: ${unused.status} ${unused.text}`);
    const guide = await sendFromPage(other, { type: 'stepwise/start-guide', workflow_id: state.workflowId });
    assert(guide.reply?.ok === false && guide.reply.error === 'not_connected', `start-guide from another origin: ${JSON.stringify(guide)}`);
    assert(JSON.stringify(await storedAuth(context)) === JSON.stringify(before), 'the stored sign-in did not change');
    // An origin the manifest does not list gets no way to message the extension at all.
    await other.route('http://evil.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Evil</title><p>hi</p>' }));
    await other.goto('http://evil.test/connect');
    const unlisted = await sendFromPage(other, { type: 'stepwise/connect', server_url: 'http://evil.test', code: await codeFor(state.memberToken) });
    assert(unlisted.noRuntime || unlisted.thrown || unlisted.lastError, `an unlisted origin reached the extension: ${JSON.stringify(unlisted)}`);
    const pingUnlisted = await sendFromPage(other, { type: 'stepwise/ping' });
    assert(!pingUnlisted.reply, `an unlisted origin got a ping answer: ${JSON.stringify(pingUnlisted)}`);
  }, { needs: ['the unzipped extension: the popup defaults to the server, the dashboard connects it without typing'] });

  await suite.test('without the extension the share link says how to get it', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${server.base}/guide/${state.workflowId}`);
      const box = page.getByTestId('guide-needs-extension');
      await box.waitFor({ timeout: 15_000 });
      assert((await box.textContent()).includes('The extension was not found in this browser'), await box.textContent());
      const link = page.getByRole('link', { name: 'Get the extension' });
      assert((await link.getAttribute('href')) === '/extension', 'links to the Get the extension page');
      await page.screenshot({ path: shot('share-no-extension.png') });
      await link.click();
      await page.waitForURL(`${server.base}/login`);
      await page.getByLabel('Email').fill(member.email);
      await page.getByLabel('Password').fill(member.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${server.base}/extension`).catch((e) => {
        throw new Error(`${e.message.split('\n')[0]}; at ${page.url()}`);
      });
      await waitFor(async () => /not found in this browser/.test((await page.getByTestId('extension-status').textContent({ timeout: 1000 })) ?? ''), { message: 'status: not found' }).catch(async (e) => {
        throw new Error(`${e.message}; the page shows: ${(await page.locator('body').innerText()).slice(0, 800)}`);
      });
      assert(await page.getByRole('button', { name: 'Connect the extension' }).isDisabled(), 'nothing to connect');
    } finally {
      await browser.close();
    }
  }, { needs: ['setup: accounts, a published workflow, the dashboard served at PUBLIC_URL'] });

  await suite.test('managed storage: the policy fixes the server (read-only, company hint) and the extension refuses another', async () => {
    const policyRoot = '/etc/chromium/policies';
    const policyDir = path.join(policyRoot, 'managed');
    const made = [policyRoot, policyDir].filter((d) => !existsSync(d));
    const file = path.join(policyDir, `stepwise-e2e-${process.pid}.json`);
    try {
      mkdirSync(policyDir, { recursive: true });
      writeFileSync(file, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: { server_url: server.base, company_hint: 'Acme Books' } } } }));
      const context = await withExtension(state.zipDir);
      const sw = await serviceWorker(context);
      const managed = await waitFor(async () => {
        const got = await sw.evaluate(() => chrome.storage.managed.get(null));
        return got.server_url ? got : null;
      }, { timeout: 10_000, message: 'chrome.storage.managed from the policy file' });
      assert(managed.server_url === server.base && managed.company_hint === 'Acme Books', `managed: ${JSON.stringify(managed)}`);
      const popup = await openPopup(context);
      const field = popup.getByLabel('Server URL');
      await field.waitFor({ timeout: 10_000 });
      assert((await field.inputValue()) === server.base && (await field.getAttribute('readonly')) !== null, 'the field shows the policy server, read-only');
      assert((await popup.locator('body').textContent()).includes('Set by your organisation'), 'says who set it');
      assert((await popup.getByTestId('company-hint').textContent()) === 'Sign in with your Acme Books account.', 'the company hint');
      await popup.locator('body').screenshot({ path: shot('popup-managed.png') });
      // The same server under another name is another origin: a dashboard there may not connect it.
      const other = await context.newPage();
      const alias = server.base.replace('127.0.0.1', 'localhost');
      await other.goto(`${alias}/login`);
      const refused = await sendFromPage(other, { type: 'stepwise/connect', server_url: alias, code: await codeFor(state.memberToken) });
      assert(refused.reply?.ok === false && refused.reply.error === 'managed', `connect to ${alias} under the policy: ${JSON.stringify(refused)}`);
      const allowed = await sendFromPage(await context.newPage().then(async (p) => (await p.goto(`${server.base}/login`), p)), { type: 'stepwise/connect', server_url: server.base, code: await codeFor(state.memberToken) });
      assert(allowed.reply?.ok === true, `connect to the policy's server: ${JSON.stringify(allowed)}`);
    } finally {
      rmSync(file, { force: true });
      for (const d of made.reverse()) rmdirSync(d, { recursive: false });
      assert(!existsSync(file), 'the policy file is removed');
    }
  }, { needs: ['GET /api/extension.zip: unzipped, it names this server and lets its origin connect'] });
} finally {
  for (const c of browsers) await c.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-connect-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-connect-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
