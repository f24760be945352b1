#!/usr/bin/env node
// "Save a session for checks" (scheduled checks, docs/checker.md): the built extension in Debian's
// Chromium, the real server, and Quarry CRM (check-session-app.mjs), an app behind a sign-in. An
// admin signs in to the app (a session cookie, a preference cookie, a token in local storage and a
// cache entry over the size a check session may hold), then presses "Save a session for checks"
// in the popup: the popup says what was saved, and GET /api/check-sessions lists the origin with 2
// cookies and 1 local storage item. Saving again replaces it (still one for the origin). Nothing of
// the session is left in the extension's storage or its error log. A colleague who is not an admin
// sees no such button.
// Screenshots: build/e2e-screenshots/extension/popup-save-session.png (the admin's popup after
// saving), popup-member.png (a colleague's popup).
// Writes $JUNIT_DIR/extension-check-session-e2e.xml when JUNIT_DIR is set.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../dashboard/harness.mjs';
import { startCheckSessionApp } from './check-session-app.mjs';
import { flows } from './flows.mjs';
import { Suite, api, assert, distDir, launch, preparedExtension, repoRoot, serviceWorker, tabIdOf } from './harness.mjs';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}

const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/extension');
mkdirSync(SHOTS, { recursive: true });
const suite = new Suite('extension-check-session-e2e');
const server = await startServer();
const app = await startCheckSessionApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, Quarry CRM ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@quarry.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@quarry.test', password: 'member-password-1', name: 'Bob Member' };
const state = { adminToken: null, adminId: null, page: null, tabId: null };
const { openPopup, signInPopup } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

/** The app's sessions as the browser holds them now: the cookie values and the local storage token. */
async function appSecrets() {
  const cookies = await context.cookies(app.url);
  const token = await state.page.evaluate(() => JSON.parse(localStorage.getItem('quarry.auth') ?? '{}').token ?? null);
  return [...cookies.filter((c) => c.name.startsWith('quarry_')).map((c) => c.value), token].filter(Boolean);
}

/** The saved sessions the server lists for the app's origin. */
async function savedForApp() {
  const res = await call('GET', '/api/check-sessions', { token: state.adminToken });
  assert(res.status === 200, `GET /api/check-sessions: ${res.status} ${res.text}`);
  return res.json.data.filter((s) => s.origin === app.url);
}

/** Presses the popup's button and waits for what it says (saved, or an error). */
async function saveFromPopup(popup) {
  const button = popup.getByRole('button', { name: 'Save a session for checks' });
  await button.waitFor({ timeout: 10_000 });
  assert(await button.isEnabled(), 'the button is enabled on an http page');
  await button.click();
  const saved = popup.getByTestId('check-session-saved');
  await saved.or(popup.getByRole('alert')).first().waitFor({ timeout: 15_000 });
  if (!(await saved.isVisible())) throw new Error(`the popup says: ${await popup.getByRole('alert').textContent()}`);
  return (await saved.textContent()) ?? '';
}

const SETUP = 'setup: an admin and a colleague; the admin signs in to Quarry CRM in a tab';
const SAVED = 'the admin saves the session from the popup: it says what was saved, and the server lists the origin with 2 cookies and 1 local storage item';

try {
  await suite.test(SETUP, async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Quarry' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    state.adminId = signup.json.data.user?.id ?? null;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
    const before = await call('GET', '/api/check-sessions', { token: state.adminToken });
    assert(before.status === 200, `the server lists check sessions (GET /api/check-sessions: ${before.status} ${before.text.slice(0, 200)})`);

    const page = await context.newPage();
    await page.goto(`${app.url}/accounts`);
    await page.waitForURL(`${app.url}/login`);
    await page.getByLabel('Email').fill('ada@granite.test');
    await page.getByLabel('Password').fill('quarry-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${app.url}/accounts`);
    await page.locator('body[data-ready="1"]').waitFor({ timeout: 10_000 });
    state.page = page;
    state.tabId = await tabIdOf(context, app.url);
    const secrets = await appSecrets();
    assert(secrets.length === 3, `the app set its two cookies and a token: ${secrets.length}`);
  });

  await suite.test(SAVED, async () => {
    const popup = await openPopup(state.tabId);
    try {
      await signInPopup(popup, admin);
      const help = await popup.getByTestId('check-session-help').textContent();
      assert(
        help === `Checks of workflows recorded on ${app.url} will sign in as you. Saved encrypted; replace or delete it any time in Settings.`,
        `the line of explanation: ${help}`,
      );
      const said = await saveFromPopup(popup);
      console.log(`  popup: ${said}`);
      assert(said.startsWith(`Saved: 2 cookies, 1 local storage item for ${app.url}`), `the popup says: ${said}`);
      assert(said.includes('Left out: 1 local storage item'), `the cache entry over the limit is said to be left out: ${said}`);
      await popup.setViewportSize({ width: 360, height: 640 });
      await popup.locator('main').screenshot({ path: path.join(SHOTS, 'popup-save-session.png') });

      const listed = await savedForApp();
      console.log(`  server: ${JSON.stringify(listed)}`);
      assert(listed.length === 1, `one session for ${app.url}: ${JSON.stringify(listed)}`);
      const [s] = listed;
      assert(s.cookie_count === 2, `cookie_count ${s.cookie_count}, want 2`);
      assert(s.local_storage_count === 1, `local_storage_count ${s.local_storage_count}, want 1`);
      if (state.adminId !== null) assert(s.captured_by === state.adminId, `captured_by ${s.captured_by}, want the admin ${state.adminId}`);
      assert(!('cookies' in s) && !('local_storage' in s), 'the list never carries the session itself');
    } finally {
      await popup.close();
    }
    // Saving again (the popup opened afresh) replaces the origin's session.
    const second = await openPopup(state.tabId);
    try {
      const again = await saveFromPopup(second);
      assert(again.startsWith(`Saved: 2 cookies, 1 local storage item for ${app.url}`), `the second save says: ${again}`);
    } finally {
      await second.close();
    }
    const after = await savedForApp();
    assert(after.length === 1, `still one session for ${app.url} after saving again: ${JSON.stringify(after)}`);
  }, { needs: [SETUP] });

  await suite.test('nothing of the session is kept in the extension’s storage or its error log', async () => {
    const secrets = await appSecrets();
    const sw = await serviceWorker(context);
    const kept = await sw.evaluate(async () => {
      const dbs = await indexedDB.databases();
      return JSON.stringify({ local: await chrome.storage.local.get(null), session: await chrome.storage.session.get(null), dbs: dbs.map((d) => d.name) });
    });
    for (const secret of secrets) assert(!kept.includes(secret), 'a value of the session is in the extension’s storage');
    assert(!kept.includes('quarry_sid'), 'the session cookie’s name is in the extension’s storage');
    const errors = JSON.parse(kept).local.errors ?? [];
    assert(errors.length === 0, `the error log: ${JSON.stringify(errors)}`);
  }, { needs: [SAVED] });

  await suite.test('a colleague who is not an admin sees no "Save a session for checks"', async () => {
    const popup = await openPopup(state.tabId);
    try {
      await signInPopup(popup, member);
      await popup.getByRole('region', { name: 'Guides for this site' }).waitFor({ timeout: 10_000 });
      assert((await popup.getByRole('button', { name: 'Save a session for checks' }).count()) === 0, 'a colleague sees the button');
      assert((await popup.getByRole('region', { name: 'Scheduled checks' }).count()) === 0, 'a colleague sees the checks section');
      await popup.setViewportSize({ width: 360, height: 640 });
      await popup.locator('main').screenshot({ path: path.join(SHOTS, 'popup-member.png') });
    } finally {
      await popup.close();
    }
    // And the server refuses them too.
    const login = await call('POST', '/api/auth/login', { body: { email: member.email, password: member.password } });
    const res = await call('POST', '/api/check-sessions', { token: login.json.data.token, body: { origin: app.url, cookies: [], local_storage: [] } });
    assert(res.status === 403, `a colleague's POST /api/check-sessions: ${res.status} ${res.text}`);
  }, { needs: [SETUP] });
} finally {
  await context.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-check-session-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-check-session-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
