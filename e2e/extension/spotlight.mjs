#!/usr/bin/env node
// The walkthrough's spotlight stands out on any page: the built extension in Debian's Chromium, the
// real server, and a fixture app whose fields draw their own blue focus ring (settings-app.mjs).
// An admin records a short task through the popup and the page; a colleague walks it on the light
// theme and on the dark one. On each, the first step's field is focused (the app's ring drawn) and
// spotlighted, and the ring's non-text contrast is measured on the screenshot (contrast.mjs: ≥ 3:1
// against the page inside it and the dimmed page outside it, WCAG 1.4.11). The same neighbours are
// checked to defeat a single blue ring, so the measurement can tell the difference.
// Screenshots: build/e2e-screenshots/extension/spotlight-light.png and spotlight-dark.png.
// Writes $JUNIT_DIR/extension-spotlight-e2e.xml when JUNIT_DIR is set.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../dashboard/harness.mjs';
import { contrast, decodePng, ringContrast } from './contrast.mjs';
import { flows } from './flows.mjs';
import { Suite, api, assert, distDir, launch, preparedExtension, pressOverlay, repoRoot, sleep, waitFor, waitStep } from './harness.mjs';
import { startSettingsApp } from './settings-app.mjs';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}

const SHOTS = path.join(repoRoot, 'build/e2e-screenshots/extension');
mkdirSync(SHOTS, { recursive: true });
const suite = new Suite('extension-spotlight-e2e');
const server = await startServer();
const app = await startSettingsApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, fixture app ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@larkspur.test', password: 'admin-password-1', name: 'Ada Admin' };
const member = { email: 'bob@larkspur.test', password: 'member-password-1', name: 'Bob Member' };
const WORKFLOW = 'Update the team profile';
/** The blue a single-colour spotlight used to be drawn in (3 px #3b82f6). */
const SINGLE_BLUE = [0x3b, 0x82, 0xf6];
const state = { adminToken: null, workflowId: null };
const { approve, expectSteps, startRecording, stopAndUpload, startGuide } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

/** Walks to step 1 on `theme`, screenshots it, and measures the ring around the focused field. */
async function measure(theme) {
  app.setTheme(theme);
  const page = await context.newPage();
  try {
    await page.goto(`${app.url}/profile`);
    await startGuide(page, member, WORKFLOW);
    const o = await waitStep(page, 0, 25_000);
    assert(o.spot, 'step 1 is spotlighted');
    // The walkthrough focuses the field: the app's own blue ring is drawn inside the spotlight.
    await waitFor(() => page.evaluate(() => document.activeElement?.id === 'team_name'), { message: 'the field focused' });
    await sleep(500); // past the ring's transition
    const file = path.join(SHOTS, `spotlight-${theme}.png`);
    await page.screenshot({ path: file });
    const png = decodePng(readFileSync(file));
    const scale = png.width / page.viewportSize().width;
    const ring = ringContrast(png, o.spot, scale);
    const ownRing = await page.evaluate(() => getComputedStyle(document.activeElement).boxShadow);
    console.log(`  ${theme}: spot ${JSON.stringify(o.spot)}; the app's focus ring: ${ownRing}`);
    for (const e of ring.edges) console.log(`  ${theme} ${e.edge}: ring ${e.inner}${e.outer ? ` + ${e.outer}` : ' (one band)'}, inside ${e.inside} (${e.vsInside}:1), outside ${e.outside} (${e.vsOutside}:1)`);
    // The measurement is of the case that matters: beside the ring, inside, is the app's blue ring.
    for (const e of ring.edges) {
      const inside = [1, 3, 5].map((k) => parseInt(e.inside.slice(k, k + 2), 16));
      assert(contrast(inside, SINGLE_BLUE) < 1.5, `${theme} ${e.edge}: inside the ring is the app's blue focus ring (read ${e.inside})`);
    }
    // A single blue ring against the same neighbours: what the check must catch.
    const single = Math.min(...ring.edges.map((e) => contrast(SINGLE_BLUE, [1, 3, 5].map((k) => parseInt(e.inside.slice(k, k + 2), 16)))));
    assert(single < 3, `${theme}: a single blue ring would measure ${single.toFixed(2)}:1 here — the check could not fail`);
    assert(ring.worst >= 3, `${theme}: the spotlight ring's contrast is ${ring.worst}:1 (< 3:1, WCAG 1.4.11): ${JSON.stringify(ring.edges)}`);
    await pressOverlay(page, 'Exit');
    await waitFor(() => page.evaluate(() => document.querySelector('stepwise-guide')?.dataset.state !== 'step'), { message: 'the walkthrough to close' });
    return { ring, single };
  } finally {
    await page.close().catch(() => {});
  }
}

try {
  await suite.test('setup: an admin and a colleague', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Larkspur' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    const join = await call('POST', '/api/auth/signup', { body: { ...member, invite_token: company.json.data.invite_token } });
    assert(join.status === 201, `member signup: ${join.text}`);
  });

  await suite.test('record a 3-step task on the light theme through the extension', async () => {
    app.setTheme('light');
    const page = await context.newPage();
    await page.goto(`${app.url}/profile`);
    const tabId = await startRecording(page, admin, WORKFLOW);
    await page.locator('#team_name').fill('Northwind support');
    await page.keyboard.press('Tab');
    await expectSteps(page, 1);
    await page.locator('#support_hours').fill('9 to 5, Monday to Friday');
    await page.keyboard.press('Tab');
    await expectSteps(page, 2);
    await page.locator('#save_profile').click();
    await page.waitForLoadState('load');
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    await expectSteps(page, 3);
    state.workflowId = await stopAndUpload(tabId, WORKFLOW, 3);
    await page.close();
    await approve(state.workflowId);
  }, { needs: ['setup: an admin and a colleague'] });

  for (const theme of ['light', 'dark']) {
    await suite.test(`${theme} page: the ring around a focused field has ≥ 3:1 contrast against the page inside and outside it`, async () => {
      const { ring, single } = await measure(theme);
      console.log(`  ${theme}: ring ${ring.worst}:1 at worst; a single blue ring would be ${single.toFixed(2)}:1`);
    }, { needs: ['record a 3-step task on the light theme through the extension'] });
  }
} finally {
  await context.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-spotlight-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-spotlight-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
