#!/usr/bin/env node
// The guide launcher on the page (issue 15, item 6): the built extension in Debian's Chromium, the
// real server, and a small helpdesk (launcher-app.mjs) with a chat bubble fixed in its bottom-right
// corner. An admin publishes three guides for the helpdesk (two start on /tickets, one on
// /reports); a colleague signs in to the extension. With the company's launcher off (the default)
// no button shows. Turned on in the dashboard's Settings, the page gets a "Guides" button in a free corner, clear of the chat
// bubble (their rectangles do not meet); Tab reaches it, Enter opens the list (this page's guides
// first), Escape closes it with focus back on the button, typing filters, and Enter on a guide
// starts its walkthrough, while which the launcher is gone; it comes back when the walkthrough is
// closed. The same app on an origin without guides shows nothing.
// Screenshots: build/e2e-screenshots/extension/launcher-setting.png (the dashboard's card),
// launcher-closed.png, launcher-open.png.
// Writes $JUNIT_DIR/extension-launcher-e2e.xml when JUNIT_DIR is set.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../dashboard/harness.mjs';
import { flows } from './flows.mjs';
import { Suite, api, assert, distDir, launch, preparedExtension, pressOverlay, repoRoot, serviceWorker, sleep, tabIdOf, waitFor, waitStep } from './harness.mjs';
import { startLauncherApp } from './launcher-app.mjs';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}

const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/extension');
mkdirSync(SHOTS, { recursive: true });
const suite = new Suite('extension-launcher-e2e');
const server = await startServer();
const app = await startLauncherApp();
const bare = await startLauncherApp(); // the same app on an origin without guides
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, helpdesk ${app.url}, helpdesk without guides ${bare.url}, extension ${extensionId}`);

const admin = { email: 'ada@harbor.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@harbor.test', password: 'member-password-1', name: 'Bob Member' };
const state = { adminToken: null, ids: {} };
const { openPopup, signInPopup, approve } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

// ---- the launcher, read through the DevTools protocol (closed shadow root)

function findAll(node, pred, out = []) {
  if (pred(node)) out.push(node);
  for (const kids of [node.children ?? [], node.shadowRoots ?? []]) for (const k of kids) findAll(k, pred, out);
  return out;
}
const attr = (n, name) => {
  const a = n?.attributes ?? [];
  const i = a.indexOf(name);
  return i >= 0 && i % 2 === 0 ? a[i + 1] : null;
};
const classes = (n) => (attr(n, 'class') ?? '').split(/\s+/);
const textOf = (n) => (n.nodeType === 3 ? n.nodeValue : (n.children ?? []).map(textOf).join(''));

/** What the launcher shows: state, corner, the button's box, and the guides listed per group. */
async function launcherView(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const [host] = findAll(root, (n) => n.localName === 'stepwise-launcher');
    if (!host) return null;
    const shadow = host.shadowRoots?.[0];
    assert(shadow?.shadowRootType === 'closed', 'the launcher must live in a closed shadow root');
    const one = (cls) => findAll(shadow, (n) => classes(n).includes(cls))[0] ?? null;
    const box = async (n) => {
      const { model } = await cdp.send('DOM.getBoxModel', { nodeId: n.nodeId });
      const [x1, y1, , , x3, y3] = model.border;
      return { x: x1, y: y1, width: x3 - x1, height: y3 - y1 };
    };
    const lists = findAll(shadow, (n) => n.localName === 'ul');
    const names = (ul) => (attr(ul, 'hidden') === null ? findAll(ul, (n) => classes(n).includes('name')).map(textOf) : []);
    const heads = findAll(shadow, (n) => classes(n).includes('group')).filter((n) => attr(n, 'hidden') === null).map(textOf);
    const dock = one('dock');
    return {
      state: attr(host, 'data-state'),
      corner: attr(host, 'data-corner'),
      popover: attr(dock, 'popover'),
      button: await box(one('open')),
      buttonText: textOf(one('open')).trim(),
      here: names(lists[0]),
      site: names(lists[1]),
      heads,
    };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

const intersects = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** What the worker keeps (chrome.storage.session): the launcher setting and the guide index, once asked. */
async function workerCache() {
  const sw = await serviceWorker(context);
  return sw.evaluate(async () => chrome.storage.session.get(['launcherSetting', 'launcherIndex']));
}

/** A guide made through the API, as an upload from the extension would be, then published. */
async function publish(name, pathName, steps) {
  const url = `${app.url}${pathName}`;
  const res = await call('POST', '/api/workflows', {
    token: state.adminToken,
    body: {
      metadata: { name, description: `How to ${name.toLowerCase()} in Harbor Desk`, starting_url: url, tags: ['e2e'] },
      steps: steps.map((s, i) => ({
        step_number: i + 1,
        timestamp: new Date().toISOString(),
        action_type: 'click',
        selectors: { primary: `#${s.id}`, css: `#${s.id}`, xpath: `//*[@id="${s.id}"]` },
        element_meta: { tag_name: 'button', role: 'button', id: s.id, accessible_name: s.label, inner_text: s.label, bounding_box: null },
        page_context: { url, title: 'Harbor Desk', viewport: { width: 1280, height: 800 } },
        action_data: null,
      })),
    },
  });
  assert(res.status === 201, `creating ${name}: ${res.status} ${res.text}`);
  const id = res.json.data.workflow_id;
  await approve(id);
  return id;
}

/** Presses Tab until focus is on the launcher (its host, as the page sees it), at most `max` times. */
async function tabToLauncher(page, max = 30) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.localName === 'stepwise-launcher')) return i;
  }
  throw new Error(`Tab did not reach the launcher in ${max} presses`);
}

/**
 * The admin turns the launcher on in the dashboard's Settings (the "Guide launcher" card, served by
 * the real server); without a built dashboard there, through the same PATCH /api/company.
 */
async function turnOnInDashboard() {
  const page = await context.newPage();
  try {
    const served = await fetch(`${server.base}/settings`).then((r) => r.ok && r.headers.get('content-type')?.includes('text/html'));
    if (!served) {
      console.log('  the server serves no dashboard (build/web/dashboard): PATCH /api/company instead');
      const patch = await call('PATCH', '/api/company', { token: state.adminToken, body: { settings: { launcher_enabled: true } } });
      assert(patch.status === 200, `PATCH: ${patch.text}`);
      return;
    }
    await page.goto(`${server.base}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${server.base}/settings`);
    const card = page.getByRole('region', { name: 'Guide launcher' });
    const toggle = card.getByRole('switch', { name: 'Show the Guides button to colleagues with the extension' });
    await toggle.waitFor({ timeout: 15_000 });
    assert((await toggle.getAttribute('aria-checked')) === 'false', 'the switch shows off until set');
    await toggle.click();
    await page.getByText('Guide launcher on', { exact: true }).waitFor({ timeout: 10_000 });
    assert((await toggle.getAttribute('aria-checked')) === 'true', 'the switch shows on once saved');
    await page.getByRole('button', { name: 'Dismiss: Guide launcher on' }).click();
    await page.getByText('Guide launcher on', { exact: true }).waitFor({ state: 'detached', timeout: 5_000 });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: path.join(SHOTS, 'launcher-setting.png') });
  } finally {
    await page.close();
  }
  const company = await call('GET', '/api/company', { token: state.adminToken });
  assert(company.json.data.settings.launcher_enabled === true, `the server keeps it on: ${company.text}`);
}

const launcherState = (page) => page.evaluate(() => document.querySelector('stepwise-launcher')?.dataset.state ?? null);

try {
  await suite.test('setup: an admin publishes three helpdesk guides, a colleague signs in to the extension', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Harbor' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    assert(company.json.data.settings.launcher_enabled === undefined, `the launcher is off until set: ${company.text}`);
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
    state.ids.assign = await publish('Assign a ticket to yourself', '/tickets', [{ id: 'assign-42', label: 'Assign to me' }]);
    state.ids.close = await publish('Close a ticket', '/tickets/', [{ id: 'close-42', label: 'Close' }]);
    state.ids.export = await publish('Export the monthly report', '/reports', [{ id: 'export', label: 'Export CSV' }]);
    // A draft is never offered.
    const draft = await call('POST', '/api/workflows', {
      token: state.adminToken,
      body: { metadata: { name: 'Close a ticket (draft)', starting_url: `${app.url}/tickets` }, steps: [{ step_number: 1, action_type: 'click', selectors: { primary: '#close-42' }, element_meta: { tag_name: 'button' }, page_context: { url: `${app.url}/tickets` } }] },
    });
    assert(draft.status === 201, `draft: ${draft.text}`);

    const page = await context.newPage();
    await page.goto(`${bare.url}/tickets`);
    const popup = await openPopup(await tabIdOf(context, bare.url));
    await signInPopup(popup, member);
    await popup.close();
    await page.close();
  });

  await suite.test('launcher off (the default): no button on a page with guides', async () => {
    const page = await context.newPage();
    try {
      await page.goto(`${app.url}/tickets`);
      // The worker has asked the server and got "off".
      await waitFor(async () => (await workerCache()).launcherSetting?.value === false, { message: 'the worker to read the setting' });
      await sleep(1500);
      assert((await page.evaluate(() => document.querySelectorAll('stepwise-launcher').length)) === 0, 'a launcher was shown while the company has it off');
    } finally {
      await page.close();
    }
  }, { needs: ['setup: an admin publishes three helpdesk guides, a colleague signs in to the extension'] });

  await suite.test('on (switched in the dashboard\'s Settings): a "Guides" button in a free corner, clear of the chat bubble; Tab reaches it, Enter opens the list, Escape closes it', async () => {
    await turnOnInDashboard();
    const me = await call('POST', '/api/auth/login', { body: { email: member.email, password: member.password } });
    const seen = await call('GET', '/api/auth/me', { token: me.json.data.token });
    assert(seen.json.data.company.launcher_enabled === true, `a member reads it: ${seen.text}`);
    // The worker keeps the setting for a minute: forget it, as a minute passing would.
    const sw = await serviceWorker(context);
    await sw.evaluate(() => chrome.storage.session.remove('launcherSetting'));

    const page = await context.newPage();
    await page.goto(`${app.url}/tickets`);
    await page.locator('stepwise-launcher').waitFor({ state: 'attached', timeout: 15_000 });
    await sleep(400); // past the first placement pass
    const v = await launcherView(page);
    const chat = await page.locator('#chat').boundingBox();
    console.log(`  launcher ${v.corner} at ${JSON.stringify(v.button)}; chat bubble at ${JSON.stringify(chat)}`);
    assert(v.popover === 'manual', 'the launcher is a manual popover (top layer)');
    assert(v.state === 'closed' && v.buttonText === 'Guides', `closed, showing "Guides": ${JSON.stringify(v)}`);
    assert(v.corner !== 'bottom-right', `the launcher took the chat bubble's corner (${v.corner})`);
    assert(!intersects(v.button, chat), `the launcher ${JSON.stringify(v.button)} covers the chat bubble ${JSON.stringify(chat)}`);
    const vp = page.viewportSize();
    assert(v.button.x >= 0 && v.button.y >= 0 && v.button.x + v.button.width <= vp.width && v.button.y + v.button.height <= vp.height, 'inside the viewport');
    // The corner is free: nothing of the page's own is under the launcher's middle.
    const under = await page.evaluate(({ x, y }) => document.elementsFromPoint(x, y).filter((e) => e.localName !== 'stepwise-launcher').map((e) => e.id || e.localName).slice(0, 3), { x: v.button.x + v.button.width / 2, y: v.button.y + v.button.height / 2 });
    console.log(`  under the launcher: ${under.join(', ')}`);
    assert(!under.includes('chat'), 'the chat bubble is under the launcher');

    const presses = await tabToLauncher(page);
    console.log(`  Tab reached the launcher after ${presses} presses`);
    await page.screenshot({ path: path.join(SHOTS, 'launcher-closed.png') });

    await page.keyboard.press('Enter');
    await waitFor(async () => (await launcherState(page)) === 'open', { message: 'the list to open' });
    const open = await waitFor(async () => {
      const o = await launcherView(page);
      return o.here.length + o.site.length >= 3 ? o : null;
    }, { message: 'the guides listed' });
    console.log(`  here: ${open.here.join(' | ')}; ${open.heads.join(' / ')}; site: ${open.site.join(' | ')}`);
    assert(JSON.stringify(open.here) === JSON.stringify(['Assign a ticket to yourself', 'Close a ticket']), `this page's guides first: ${open.here}`);
    assert(JSON.stringify(open.site) === JSON.stringify(['Export the monthly report']), `then the site's: ${open.site}`);
    assert(JSON.stringify(open.heads) === JSON.stringify(['On this page', 'Elsewhere on this site']), `groups: ${open.heads}`);
    await page.screenshot({ path: path.join(SHOTS, 'launcher-open.png') });

    await page.keyboard.press('Escape');
    await waitFor(async () => (await launcherState(page)) === 'closed', { message: 'Escape to close the list' });
    assert(await page.evaluate(() => document.activeElement?.localName === 'stepwise-launcher'), 'focus went back to the launcher');
    state.page = page;
  }, { needs: ['launcher off (the default): no button on a page with guides'] });

  await suite.test('typing filters the list, Enter on a guide starts its walkthrough; the launcher steps aside and comes back after', async () => {
    const page = state.page;
    // Focus is on the launcher's button (Escape put it back): Enter opens the list again.
    await page.keyboard.press('Enter');
    await waitFor(async () => (await launcherState(page)) === 'open', { message: 'the list to open again' });
    // What is typed in the launcher never reaches the page's own key handlers (its shortcuts).
    await page.evaluate(() => {
      window.__keysSeen = 0;
      window.addEventListener('keydown', () => (window.__keysSeen += 1));
    });
    await page.keyboard.type('close');
    assert((await page.evaluate(() => window.__keysSeen)) === 0, 'the page saw keys typed in the launcher');
    const filtered = await waitFor(async () => {
      const o = await launcherView(page);
      return o.here.length + o.site.length === 1 ? o : null;
    }, { message: 'the list filtered to one guide' });
    assert(JSON.stringify(filtered.here) === JSON.stringify(['Close a ticket']), `filtered: ${JSON.stringify(filtered)}`);
    await page.keyboard.press('Tab'); // from the search field to the guide
    await page.keyboard.press('Enter');
    const o = await waitStep(page, 0, 20_000);
    console.log(`  walkthrough step 1: ${o.title} — ${o.body}`);
    const run = await (await serviceWorker(context)).evaluate(async () => (await chrome.storage.session.get('run')).run);
    assert(run?.workflow?.id === state.ids.close, `the walkthrough runs "Close a ticket" (${run?.workflow?.id} vs ${state.ids.close})`);
    assert((await page.evaluate(() => document.querySelectorAll('stepwise-launcher').length)) === 0, 'the launcher stays while a walkthrough runs');
    await pressOverlay(page, 'Exit');
    await page.locator('stepwise-launcher').waitFor({ state: 'attached', timeout: 15_000 });
    await page.close();
  }, { needs: ['on (switched in the dashboard\'s Settings): a "Guides" button in a free corner, clear of the chat bubble; Tab reaches it, Enter opens the list, Escape closes it'] });

  await suite.test('a page on an origin without guides shows nothing', async () => {
    const page = await context.newPage();
    try {
      await page.goto(`${bare.url}/tickets`);
      await waitFor(async () => {
        const c = await workerCache();
        return c.launcherSetting?.value === true && c.launcherIndex?.value && Object.keys(c.launcherIndex.value).length > 0;
      }, { message: 'the worker to know which sites have guides' });
      const index = (await workerCache()).launcherIndex.value;
      assert(Object.keys(index).join() === app.url, `only the helpdesk's origin has guides: ${Object.keys(index)}`);
      await sleep(1500);
      assert((await page.evaluate(() => document.querySelectorAll('stepwise-launcher').length)) === 0, 'a launcher was shown on a site without guides');
    } finally {
      await page.close();
    }
  }, { needs: ['on (switched in the dashboard\'s Settings): a "Guides" button in a free corner, clear of the chat bubble; Tab reaches it, Enter opens the list, Escape closes it'] });
} finally {
  await context.close().catch(() => {});
  await app.close();
  await bare.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-launcher-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-launcher-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
