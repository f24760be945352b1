#!/usr/bin/env node
// A colleague's walkthrough takes their own values (issue 15, item 1, the walkthrough's side): the
// built extension in Debian's Chromium, the real server, and a small wiki (wiki-app.mjs). An admin
// records "create a page, open it, publish it" through the popup and the page: their username
// (personal), a title they make up (free), a category and a number of copies the task requires
// (fixed), Create, the link to the new page in the list (value_from: the title step), Publish.
// A colleague then walks it: a different username and title advance the walk, "Fill it for me"
// fills the two fixed steps (the app's own React-style tracking sees the copies), and the link
// found is the one showing the colleague's title, below the admin's which sits where the recorded
// link sat. The colleague's values stay in the walk: the service worker keeps only the title
// (a later step looks for it), never the username, and the server stores neither. A second walk
// that skips the title step is asked about the link, and no card quotes the admin's title.
// Screenshots: build/e2e-screenshots/extension/fill-it-for-me.png, value-from-found.png,
// value-from-unknown.png. Writes $JUNIT_DIR/extension-values-e2e.xml when JUNIT_DIR is set.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../dashboard/harness.mjs';
import { flows, userAct } from './flows.mjs';
import { Suite, api, assert, distDir, launch, overlay, preparedExtension, pressOverlay, repoRoot, serviceWorker, sleep, storedBytes, waitFor, waitState, waitStep } from './harness.mjs';
import { startWikiApp } from './wiki-app.mjs';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}

const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/extension');
mkdirSync(SHOTS, { recursive: true });
const suite = new Suite('extension-values-e2e');
const server = await startServer();
const app = await startWikiApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, fixture app ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@fernwood.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@fernwood.test', password: 'member-password-1', name: 'Bob Member' };
const WORKFLOW = 'Create and publish a wiki page';
const ADMIN_USER = 'ada.admin';
const ADMIN_TITLE = 'Quarterly launch plan';
const MY_USER = 'bob.colleague';
const MY_TITLE = 'Team offsite notes';
const state = { adminToken: null, workflowId: null, steps: null };
const { approve, expectSteps, startRecording, stopAndUpload, startGuide } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

/** Everything the card shows, in one string (to look for a value in it). */
const cardText = (o) => [o.title, o.body, o.hint, ...o.buttons.map((b) => b.label)].join(' | ');

/** The run as the service worker keeps it (chrome.storage.session). */
async function runState() {
  const sw = await serviceWorker(context);
  return sw.evaluate(async () => (await chrome.storage.session.get('run')).run ?? null);
}

/** Types like a person into a field and commits it with Tab. */
async function type(page, selector, value) {
  await page.locator(selector).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
  await page.keyboard.press('Tab');
}

/** The box of an element of the page, in CSS pixels. */
const boxOf = (page, selector) => page.locator(selector).boundingBox();

/** Whether the spotlight surrounds `box` (the ring is drawn a few pixels outside the element). */
const around = (spot, box) => !!spot && !!box && spot.x <= box.x && spot.y <= box.y && spot.x + spot.width >= box.x + box.width && spot.y + spot.height >= box.y + box.height && spot.height < box.height + 40;

try {
  await suite.test('setup: an admin and a colleague', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Fernwood' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
  });

  await suite.test('record: username, title, category, copies, Create, the new page\'s link, Publish', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/new`);
    const tabId = await startRecording(page, admin, WORKFLOW);
    await type(page, '#username', ADMIN_USER);
    await expectSteps(page, 1);
    await type(page, '#title', ADMIN_TITLE);
    await expectSteps(page, 2);
    await userAct(page, { action: 'select', value: 'eng' }, await page.$('#category'));
    await expectSteps(page, 3);
    await type(page, '#copies', '3');
    await expectSteps(page, 4);
    await page.locator('#create').click();
    await page.waitForURL(`${app.url}/pages`);
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await expectSteps(page, 5);
    await page.getByRole('link', { name: ADMIN_TITLE }).click();
    await page.waitForURL(`${app.url}/pages/quarterly-launch-plan`);
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await expectSteps(page, 6);
    await page.locator('#publish').click();
    await page.waitForLoadState('load');
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await expectSteps(page, 7);
    state.workflowId = await stopAndUpload(tabId, WORKFLOW, 7);
    await page.close();
    await approve(state.workflowId);
  }, { needs: ['setup: an admin and a colleague'] });

  await suite.test('the uploaded steps: personal username, free title, fixed category and copies, the link from the title step', async () => {
    const detail = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
    state.steps = detail.steps;
    const kinds = detail.steps.map((s) => `${s.step_number} ${s.action_type} ${s.action_data?.value_kind ?? '-'} ${s.action_data?.value_from ?? '-'}`);
    console.log(`  ${kinds.join('\n  ')}`);
    const [user, title, category, copies, , link] = detail.steps;
    assert(user.action_data.value_kind === 'personal', `username: ${kinds[0]}`);
    assert(title.action_data.value_kind === 'free', `title: ${kinds[1]}`);
    assert(category.action_type === 'select_change' && (category.action_data.value_kind ?? 'fixed') === 'fixed', `category: ${kinds[2]}`);
    assert(copies.action_data.value_kind === 'fixed', `copies: ${kinds[3]}`);
    assert(link.action_data?.value_from === title.step_number, `the link: ${kinds[5]}`);
    assert(link.element_meta.inner_text === ADMIN_TITLE, `the link was recorded with the admin's title: ${link.element_meta.inner_text}`);
  }, { needs: ["record: username, title, category, copies, Create, the new page's link, Publish"] });

  await suite.test('a colleague: own username and title advance, "Fill it for me" fills the fixed steps, their own page\'s link is found', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/new`);
    await startGuide(page, member, WORKFLOW);

    let o = await waitStep(page, 0, 25_000);
    console.log(`  step 1: ${cardText(o)}`);
    assert(!o.buttons.some((b) => b.label === 'Fill it for me'), 'no Fill it for me on a personal step');
    assert(!cardText(o).includes(ADMIN_USER), `the card quotes the admin's username: ${cardText(o)}`);
    await type(page, '#username', MY_USER);

    o = await waitStep(page, 1);
    console.log(`  step 2: ${cardText(o)}`);
    assert(!o.buttons.some((b) => b.label === 'Fill it for me'), 'no Fill it for me on a free step');
    assert(!cardText(o).includes(ADMIN_TITLE), `the card quotes the admin's title: ${cardText(o)}`);
    await type(page, '#title', MY_TITLE);

    o = await waitStep(page, 2);
    console.log(`  step 3: ${cardText(o)}`);
    assert(o.buttons.some((b) => b.label === 'Fill it for me'), `Fill it for me on the fixed select: ${cardText(o)}`);
    await page.screenshot({ path: path.join(SHOTS, 'fill-it-for-me.png') });
    await pressOverlay(page, 'Fill it for me');
    o = await waitStep(page, 3);
    assert((await page.locator('#category').inputValue()) === 'eng', 'the category was chosen');
    console.log(`  step 4: ${cardText(o)}`);
    assert(o.buttons.some((b) => b.label === 'Fill it for me'), `Fill it for me on the fixed copies: ${cardText(o)}`);
    await pressOverlay(page, 'Fill it for me');
    o = await waitStep(page, 4);
    assert((await page.locator('#copies').inputValue()) === '3', 'the copies were filled');
    // The app's React-style tracking saw both: its own summary line says so.
    const summary = await page.locator('#summary').textContent();
    assert(summary === '3 copies, Engineering', `the app saw: ${summary}`);

    // Only the title is kept (the link looks for it), in the session, never the username.
    const run = await runState();
    assert(JSON.stringify(run.values) === JSON.stringify({ 1: MY_TITLE }), `the walk keeps ${JSON.stringify(run.values)}`);
    assert(!JSON.stringify(run).includes(MY_USER), 'the username is kept in the run');

    await page.locator('#create').click();
    await page.waitForURL(`${app.url}/pages`);
    o = await waitStep(page, 5, 25_000);
    console.log(`  step 6: ${cardText(o)} (${await page.evaluate(() => document.querySelector('stepwise-guide')?.dataset.method)})`);
    assert(!cardText(o).includes(ADMIN_TITLE), `the card quotes the admin's title: ${cardText(o)}`);
    const mine = await boxOf(page, `a[href="/pages/team-offsite-notes"]`);
    const theirs = await boxOf(page, `a[href="/pages/quarterly-launch-plan"]`);
    assert(theirs.y < mine.y, 'the admin\'s page is listed first, where the recorded link sat');
    assert(around(o.spot, mine), `the spotlight ${JSON.stringify(o.spot)} is not on the colleague's link ${JSON.stringify(mine)} (the admin's: ${JSON.stringify(theirs)})`);
    await page.screenshot({ path: path.join(SHOTS, 'value-from-found.png') });
    await page.getByRole('link', { name: MY_TITLE }).click();
    await page.waitForURL(`${app.url}/pages/team-offsite-notes`);

    o = await waitStep(page, 6, 25_000);
    await page.locator('#publish').click();
    o = await waitState(page, 'done', 25_000);
    assert(o.title === 'All done!', `end: ${cardText(o)}`);
    assert((await page.locator('#status').textContent()) === 'Published', 'the colleague\'s page is published');
    const created = app.pages.find((p) => p.title === MY_TITLE);
    assert(created && created.author === MY_USER && created.copies === 3 && created.categoryName === 'Engineering' && created.published, `the page: ${JSON.stringify(created)}`);
    await pressOverlay(page, 'Close');
    await page.close();
  }, { needs: ['the uploaded steps: personal username, free title, fixed category and copies, the link from the title step'] });

  await suite.test('the server stores neither value of the colleague\'s that the walk kept', async () => {
    await waitFor(async () => {
      const w = (await call('GET', `/api/workflows/${state.workflowId}`, { token: state.adminToken })).json.data;
      return w.total_uses >= 1 && w.last_successful_run !== null;
    }, { message: 'the successful run reported' });
    const found = storedBytes(server.dataDir).filter((f) => f.bytes.includes(Buffer.from(MY_USER)));
    assert(found.length === 0, `the colleague's username is stored in ${found.map((f) => f.path).join(', ')}`);
  }, { needs: ['a colleague: own username and title advance, "Fill it for me" fills the fixed steps, their own page\'s link is found'] });

  await suite.test('a colleague who skipped the title step is asked about the link; no card quotes the admin\'s title', async () => {
    const page = await context.newPage();
    await page.goto(`${app.url}/new`);
    await startGuide(page, member, WORKFLOW);
    await waitStep(page, 0, 25_000);
    await type(page, '#username', MY_USER);
    await waitStep(page, 1);
    await pressOverlay(page, 'Skip');
    await waitStep(page, 2);
    await pressOverlay(page, 'Fill it for me');
    await waitStep(page, 3);
    await pressOverlay(page, 'Fill it for me');
    await waitStep(page, 4);
    await page.locator('#create').click();
    await page.waitForURL(`${app.url}/pages`);
    const o = await waitFor(async () => {
      const now = await overlay(page);
      return now && now.step === 5 && ['ask', 'not-found', 'hidden'].includes(now.state) ? now : null;
    }, { timeout: 30_000, message: 'step 6 asked about or not found' });
    console.log(`  step 6 without the title: ${o.state}: ${cardText(o)}`);
    assert(o.state === 'ask', `expected a question, got ${o.state}`);
    assert(!cardText(o).includes(ADMIN_TITLE) && !cardText(o).includes(ADMIN_USER), `the card quotes the admin's data: ${cardText(o)}`);
    assert(/skipped the step where it was named/.test(o.body), `the question says why it asks: ${o.body}`);
    const run = await runState();
    assert(!run.values || Object.keys(run.values).length === 0, `a skipped title is not kept: ${JSON.stringify(run.values)}`);
    await page.screenshot({ path: path.join(SHOTS, 'value-from-unknown.png') });
    // "Not this": the next link is asked about.
    await pressOverlay(page, 'Not this');
    const next = await waitFor(async () => {
      const now = await overlay(page);
      return now && now.state === 'ask' && now.spot && Math.abs(now.spot.y - o.spot.y) > 10 ? now : null;
    }, { message: 'the next link asked about' });
    console.log(`  after Not this: ${next.state} at y ${Math.round(next.spot.y)} (was ${Math.round(o.spot.y)})`);
    assert(!cardText(next).includes(ADMIN_TITLE), `the card quotes the admin's title: ${cardText(next)}`);
    await pressOverlay(page, 'Exit');
    await sleep(300);
    await page.close();
  }, { needs: ['a colleague: own username and title advance, "Fill it for me" fills the fixed steps, their own page\'s link is found'] });
} finally {
  await context.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-values-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-values-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
