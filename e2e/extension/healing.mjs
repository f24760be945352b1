#!/usr/bin/env node
// Walkthroughs that survive a redesign, end to end: the built extension in Debian's Chromium, the
// real server, and the redesign fixture pairs (e2e/fixtures/redesign: v1 and v2 at the same URLs).
// Each pair is recorded on v1 through the popup and the page as an admin does, then walked as
// colleagues do:
//   theme swap — a heal never erases the recorded selectors (walk B, then A again: A needs no
//     heal); a regular user's heal stays theirs until a second colleague confirms it; an
//     uncertain match is a question (dashed spotlight) and acting on it is the answer; a link
//     moved into the user menu is reached through the opener; a checkbox clicked on its label,
//     and a switch whose input is transparent under its label, count;
//   removed elements — a selector that now hits another element is not trusted, a removed
//     breadcrumb is never taken for the sidebar link of the same name, "Not this" refuses a
//     candidate, Skip goes on (reported: the walker is a colleague), and the run ends "Done — N
//     steps skipped" (completed_with_skips) saying the admin was told;
//   hidden targets — targets in a closed menu, collapsed panel, unselected tab, <details> inside
//     a tab and a CSS checkbox drawer are reached through inserted "Open …" steps, whose card says
//     the element is hidden;
//   look-alike rows — the Edit of the recorded invoice, never a neighbour row's.
// Screenshots of the question, the opener step and the end card go to
// build/e2e-screenshots/extension/. Writes $JUNIT_DIR/extension-healing-e2e.xml when JUNIT_DIR is set.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../dashboard/harness.mjs';
import { startRedesignApp } from '../fixtures/redesign/server.mjs';
import { pairByName } from '../fixtures/redesign/pairs/index.mjs';
import { clickElement, resolvePath, sleep } from '../fixtures/redesign/drive.mjs';
import { flows, userAct } from './flows.mjs';
import { Suite, api, assert, distDir, launch, overlay, preparedExtension, pressOverlay, repoRoot, waitFor } from './harness.mjs';

if (!existsSync(path.join(distDir, 'manifest.json'))) {
  console.error(`${distDir} is not built: run npm run build -w packages/extension`);
  process.exit(1);
}

const shots = path.join(repoRoot, 'build/e2e-screenshots/extension');
mkdirSync(shots, { recursive: true });
const suite = new Suite('extension-healing-e2e');
const server = await startServer();
const app = await startRedesignApp();
const { call } = api(server.base);
const { context, extensionId } = await launch(preparedExtension());
console.log(`server ${server.base}, fixture pairs ${app.url}, extension ${extensionId}`);

const admin = { email: 'ada@heal.test', password: 'admin-password-1', name: 'Ada Admin' };
const bob = { email: 'bob@heal.test', password: 'member-password-1', name: 'Bob Member' };
const cy = { email: 'cy@heal.test', password: 'member-password-2', name: 'Cy Member' };
const dee = { email: 'dee@heal.test', password: 'member-password-3', name: 'Dee Member' };
const state = { adminToken: null, workflows: {} };
const { approve, expectSteps, startRecording, stopAndUpload, startGuide } = flows({ context, extensionId, serverBase: server.base, call, adminToken: () => state.adminToken });

/** Records `pair` on v1 through the extension as the admin; returns the workflow id and step count. */
async function recordPair(pair, name) {
  app.setVersion(1);
  const page = await context.newPage();
  await page.goto(app.url + pair.steps[0].page);
  const tabId = await startRecording(page, admin, name);
  let count = 0;
  for (const step of pair.steps) {
    const r = await resolvePath(page, step.v1);
    assert(r, `v1 path of ${step.name}`);
    await userAct(page, step, r.handle);
    count++;
    await expectSteps(page, count);
    count = Number(await page.evaluate(() => document.querySelector('stepwise-recorder')?.dataset.steps));
  }
  const id = await stopAndUpload(tabId, name, count);
  await page.close();
  await approve(id);
  return { id, count };
}

async function detail(id) {
  return (await call('GET', `/api/workflows/${id}`, { token: state.adminToken })).json.data;
}

/** The walkthrough's state attributes (set on the overlay host). */
const hostState = (page) => page.evaluate(() => ({ ...(document.querySelector('stepwise-guide')?.dataset ?? {}) }));

/** Waits until the overlay waits for the user (a step, a question, an opener, can't find, or the end). */
async function nextPrompt(page, timeout = 30_000) {
  await waitFor(async () => ['step', 'ask', 'reveal', 'not-found', 'hidden', 'wrong-page', 'done', 'finished'].includes((await hostState(page)).state), { timeout, message: `a walkthrough prompt on ${page.url()}` });
  return { ...(await hostState(page)), view: await overlay(page) };
}

/**
 * The spotlight is drawn around `handle` (its centre inside the spotlight box) — or, for a label
 * the user clicks, around the control it labels (the step's element), and the other way round.
 */
async function spotlightOn(view, handle) {
  const s = view.spot;
  if (!s) return false;
  const related = await handle.evaluateHandle((el) => el.control ?? (el.labels && el.labels[0]) ?? el);
  for (const h of [handle, related.asElement()].filter(Boolean)) {
    const b = await h.boundingBox();
    if (!b) continue;
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    if (cx >= s.x && cx <= s.x + s.width && cy >= s.y && cy <= s.y + s.height) return true;
  }
  return false;
}

/**
 * Walks `pair` on `version` as `who` and answers the overlay as a person would: acts on the
 * spotlighted element, opens what it points at, Skip on "Can't find", "Not this" when it asks
 * about something that is not the step's element. Returns, per fixture step, what was shown.
 */
async function walkPair(pair, workflowName, version, who, { label = '', expectEnd = 'done' } = {}) {
  app.setVersion(version);
  const page = await context.newPage();
  try {
    await page.goto(`${app.url}${pair.steps[0].page}`);
    await startGuide(page, who, workflowName);
    return await answerPrompts(page, pair, version, { label, expectEnd });
  } catch (e) {
    // Leave no walkthrough running for the next case: Escape ends it, as it does for a user.
    await page.keyboard.press('Escape').catch(() => {});
    await sleep(300);
    throw e;
  } finally {
    await page.close().catch(() => {});
  }
}

async function answerPrompts(page, pair, version, { label, expectEnd }) {
  const seen = [];
  let revealShot = false;
  for (const step of pair.steps) {
    const want = version === 1 ? step.v1 : step.v2;
    const shown = [];
    for (let guard = 0; guard < 8; guard++) {
      const p = await nextPrompt(page);
      shown.push(p.state);
      if (p.state === 'reveal') {
        assert(/is on this page, but hidden/.test(p.view.body), `${step.name}: the opener card says the element is hidden (${p.view.title}: ${p.view.body})`);
        // The inserted step points at an opener of the element: it must be one the fixture names.
        let opened = false;
        for (const opener of step.reveal ?? []) {
          const o = await resolvePath(page, opener, { timeout: 500 });
          if (o && (await spotlightOn(p.view, o.handle))) {
            if (label && !revealShot) await page.screenshot({ path: path.join(shots, `${label}-reveal.png`) });
            revealShot = true;
            await clickElement(page, o.handle);
            opened = true;
            break;
          }
        }
        assert(opened, `${step.name}: the opener step spotlights none of the fixture's openers (${p.view.title})`);
        await waitFor(async () => (await hostState(page)).state !== 'reveal', { message: 'the opener step to end' });
        if (process.env.E2E_DEBUG) console.log(`    ${step.name.slice(0, 30)}: opened; now ${JSON.stringify(await hostState(page))}`);
        continue;
      }
      if (p.state === 'ask' || p.state === 'step') {
        const r = want ? await resolvePath(page, want, { timeout: 1000 }) : null;
        const right = !!r && (await spotlightOn(p.view, r.handle));
        if (p.state === 'ask') {
          assert(p.view.question, `${step.name}: a question is drawn dashed`);
          if (label) await page.screenshot({ path: path.join(shots, `${label}-question-${seen.length + 1}.png`) });
          if (!right) {
            shown.push('not-this');
            await pressOverlay(page, 'Not this');
            await sleep(300);
            continue;
          }
        } else {
          assert(right, `${step.name}: the spotlight is on another element (${p.view.title}; expected ${JSON.stringify(want)}; ${JSON.stringify({ ...p, view: undefined })})`);
        }
        await userAct(page, step, r.handle);
        if (process.env.E2E_DEBUG) {
          for (let t = 0; t < 20; t++) {
            const h = await hostState(page).catch(() => ({}));
            console.log(`    ${step.name.slice(0, 30)} +${t * 100}ms: ${h.state} ${h.step} ${h.found ?? ''} ${h.wrong ?? ''}`);
            await sleep(100);
          }
        }
        await waitFor(async () => (await hostState(page)).state !== p.state || Number((await hostState(page)).step) !== Number(p.step), { message: `${step.name}: the walkthrough to move on` });
        seen.push({ step: step.name, shown, method: p.method });
        break;
      }
      if (p.state === 'wrong-page') {
        // A skipped step used to lead to this step's page: the walkthrough offers to go there.
        await pressOverlay(page, 'Take me there');
        await page.waitForURL((u) => u.pathname === step.page, { timeout: 15_000 });
        continue;
      }
      if (p.state === 'not-found' || p.state === 'hidden') {
        assert(!want || p.state === 'hidden', `${step.name}: "${p.view.title}" though the element is on the page (${JSON.stringify({ ...p, view: undefined })})`);
        // One card for both: Skip first, and the report box (checked: these walkers are colleagues).
        assert(p.view.buttons.find((b) => b.primary)?.label === 'Skip' && p.view.option?.label === 'Report it to my admin' && p.view.option.checked, `${step.name}: the ${p.state} card: ${JSON.stringify({ buttons: p.view.buttons.map((b) => [b.label, b.primary]), option: p.view.option })}`);
        await pressOverlay(page, 'Skip');
        await waitFor(async () => Number((await hostState(page)).step) !== Number(p.step) || ['done', 'finished'].includes((await hostState(page)).state), { message: 'Skip to move on' });
        seen.push({ step: step.name, shown, method: null });
        break;
      }
      throw new Error(`${step.name}: the walkthrough ended early (${p.state}: ${p.view.title})`);
    }
  }
  const end = await nextPrompt(page);
  assert(end.state === expectEnd, `the walk ends in ${end.state} (${end.view.title}: ${end.view.body}), expected ${expectEnd}`);
  if (label) await page.screenshot({ path: path.join(shots, `${label}-end.png`) });
  await pressOverlay(page, 'Close');
  return { seen, end };
}

const stepsOf = (d) => d.steps.filter((s) => s.action_type !== 'navigate');
/** E2E_ONLY=theme,removed,hidden,rows runs those pairs only (while debugging one). */
const ONLY = process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(',')) : null;
const only = (name) => !ONLY || ONLY.has(name);

try {
  await suite.test('setup: an admin and three colleagues', async () => {
    const signup = await call('POST', '/api/auth/signup', { body: { ...admin, company_name: 'Heal Co' } });
    assert(signup.status === 201, `signup: ${signup.text}`);
    state.adminToken = signup.json.data.token;
    const company = await call('GET', '/api/company', { token: state.adminToken });
    for (const who of [bob, cy, dee]) {
      const join = await call('POST', '/api/auth/signup', { body: { ...who, invite_token: company.json.data.invite_token } });
      assert(join.status === 201, `${who.name} signup: ${join.text}`);
    }
  });

  // ---------------------------------------------------------------- theme swap
  if (only('theme')) {
    const theme = pairByName('theme-swap');
    const THEME = 'Turn on assigned-ticket emails';

    await suite.test('theme swap: record on the Classic theme through the extension', async () => {
      const { id } = await recordPair(theme, THEME);
      state.workflows.theme = id;
      const d = await detail(id);
      console.log(`  recorded: ${d.steps.map((s) => `${s.action_type}:${s.element_meta.tag_name}${s.element_meta.type ? `[${s.element_meta.type}]` : ''}`).join(', ')}`);
      const checkbox = stepsOf(d).find((s) => s.element_meta.type === 'checkbox');
      assert(checkbox, `the label click is recorded as the checkbox's step: ${stepsOf(d).map((s) => s.element_meta.tag_name)}`);
      state.themeRecorded = Object.fromEntries(d.steps.map((s) => [s.id, s.selectors]));
    }, { needs: ['setup: an admin and three colleagues'] });

    await suite.test('theme swap: Bob walks Classic; the checkbox step is done by clicking its label', async () => {
      const { seen } = await walkPair(theme, THEME, 1, bob);
      assert(seen.every((s) => s.shown.join() === 'step'), `every step found at once on the recorded design: ${JSON.stringify(seen)}`);
    }, { needs: ['theme swap: record on the Classic theme through the extension'] });

    await suite.test('theme swap: Bob walks Horizon — questions, the user menu opened first, the switch clicked on its label', async () => {
      const { seen } = await walkPair(theme, THEME, 2, bob, { label: 'theme-swap-bob' });
      console.log(`  Bob on Horizon: ${seen.map((s) => `${s.shown.join('>')}`).join(' | ')}`);
      assert(seen.some((s) => s.shown.includes('ask')), 'an uncertain match was asked about');
      assert(seen.some((s) => s.shown[0] === 'reveal'), 'the Settings link in the user menu was reached through its opener');
    }, { needs: ['theme swap: record on the Classic theme through the extension'] });

    await suite.test("theme swap: Bob's heals kept the recorded selectors and stay his until confirmed", async () => {
      const d = await detail(state.workflows.theme);
      let healed = 0;
      for (const s of d.steps) {
        assert(JSON.stringify(s.selectors) === JSON.stringify(state.themeRecorded[s.id]), `step ${s.step_number}: the recorded selectors changed`);
        const variants = s.selector_variants ?? [];
        assert(variants[0]?.source === 'recorded', `step ${s.step_number}: the recorded variant comes first`);
        for (const v of variants.slice(1)) {
          healed++;
          assert(v.status === 'pending', `step ${s.step_number}: a regular user's heal is ${v.status}, not pending`);
          assert(v.votes.some((x) => x.user_name === bob.name && x.vote === 'confirm'), `step ${s.step_number}: Bob's confirmation is recorded`);
        }
      }
      assert(healed >= 2, `Bob's walk added variants (${healed})`);
    }, { needs: ['theme swap: Bob walks Horizon — questions, the user menu opened first, the switch clicked on its label'] });

    await suite.test("theme swap: Cy is asked about Bob's heals, confirms them, and they become shared", async () => {
      const { seen } = await walkPair(theme, THEME, 2, cy, { label: 'theme-swap-cy' });
      console.log(`  Cy on Horizon: ${seen.map((s) => s.shown.join('>')).join(' | ')}`);
      const d = await detail(state.workflows.theme);
      const shared = d.steps.flatMap((s) => (s.selector_variants ?? []).slice(1)).filter((v) => v.status === 'shared');
      assert(shared.length >= 2, `two colleagues' confirmations make variants shared: ${JSON.stringify(d.steps.map((s) => (s.selector_variants ?? []).map((v) => `${v.source}:${v.status}:${v.votes.length}`)))}`);
    }, { needs: ["theme swap: Bob's heals kept the recorded selectors and stay his until confirmed"] });

    await suite.test('theme swap: Dee finds the shared variants on Horizon without questions', async () => {
      const { seen } = await walkPair(theme, THEME, 2, dee);
      console.log(`  Dee on Horizon: ${seen.map((s) => s.shown.join('>')).join(' | ')}`);
      const asked = seen.filter((s) => s.shown.includes('ask'));
      assert(asked.length === 0, `no question once colleagues confirmed: ${JSON.stringify(asked)}`);
    }, { needs: ["theme swap: Cy is asked about Bob's heals, confirms them, and they become shared"] });

    await suite.test('theme swap: back on Classic every step is found by the recorded selectors again', async () => {
      const { seen } = await walkPair(theme, THEME, 1, bob);
      assert(seen.every((s) => s.shown.join() === 'step' && s.method === 'success'), `no heal on the recorded design: ${JSON.stringify(seen)}`);
    }, { needs: ['theme swap: Dee finds the shared variants on Horizon without questions'] });
  }

  // ---------------------------------------------------------------- removed elements
  if (only('removed')) {
    const removed = pairByName('removed-elements');
    const REMOVED = 'Archive the Apollo project';

    await suite.test('removed elements: record on v1', async () => {
      state.workflows.removed = (await recordPair(removed, REMOVED)).id;
    }, { needs: ['setup: an admin and three colleagues'] });

    await suite.test('removed elements: nothing removed is "found" in its old slot; Skip goes on, reported, and the run ends "Done — N steps skipped"', async () => {
      const { seen, end } = await walkPair(removed, REMOVED, 2, bob, { label: 'removed' });
      console.log(`  Bob on v2: ${seen.map((s) => s.shown.join('>')).join(' | ')}`);
      const skipped = removed.steps.filter((s) => !s.v2).length;
      assert(/^Done — \d+ steps? skipped$/.test(end.view.title), `end card: ${end.view.title}`);
      assert(end.view.title.includes(String(skipped)), `${skipped} steps skipped: ${end.view.title}`);
      assert(/Your admin has been told/.test(end.view.body), `Bob's Skips were reported (the box is checked for a colleague): ${end.view.body}`);
      assert(end.outcome === 'completed_with_skips', `outcome ${end.outcome}`);
      await waitFor(async () => {
        const h = (await call('GET', `/api/workflows/${state.workflows.removed}/health`, { token: state.adminToken })).json?.data;
        return h?.recent_runs?.some((r) => r.status === 'completed_with_skips' && r.error_type === 'element_not_found');
      }, { message: 'the run in the health page as completed with skips, elements not found' });
    }, { needs: ['removed elements: record on v1'] });
  }

  // ---------------------------------------------------------------- hidden targets
  if (only('hidden')) {
    const hidden = pairByName('hidden-targets');
    const HIDDEN = 'Admin console chores';

    await suite.test('hidden targets: record on v1', async () => {
      state.workflows.hidden = (await recordPair(hidden, HIDDEN)).id;
    }, { needs: ['setup: an admin and three colleagues'] });

    await suite.test('hidden targets: menu, panel, tab, details in a tab and a CSS drawer are opened first', async () => {
      const { seen } = await walkPair(hidden, HIDDEN, 2, bob, { label: 'hidden' });
      console.log(`  Bob on v2: ${seen.map((s) => s.shown.join('>')).join(' | ')}`);
      const revealed = seen.filter((s) => s.shown[0] === 'reveal');
      assert(revealed.length >= 4, `targets reached through their openers: ${revealed.length} of ${seen.length}`);
    }, { needs: ['hidden targets: record on v1'] });
  }

  // ---------------------------------------------------------------- look-alike rows
  if (only('rows')) {
    const rows = pairByName('list-lookalikes');
    const ROWS = 'Correct the Globex invoice';

    await suite.test('look-alike rows: record on v1', async () => {
      state.workflows.rows = (await recordPair(rows, ROWS)).id;
    }, { needs: ['setup: an admin and three colleagues'] });

    await suite.test("look-alike rows: the recorded invoice's Edit and Delete, never a neighbour row's", async () => {
      // walkPair fails on a spotlight (or an answered question) on any element but the expected one.
      const { seen } = await walkPair(rows, ROWS, 2, bob, { label: 'rows' });
      console.log(`  Bob on v2: ${seen.map((s) => s.shown.join('>')).join(' | ')}`);
      assert(!seen.some((s) => s.shown.includes('not-this')), `never asked about another row: ${JSON.stringify(seen)}`);
    }, { needs: ['look-alike rows: record on v1'] });
  }

} finally {
  await context.close().catch(() => {});
  await app.close();
  const log = await server.stop();
  console.log(`server log: ${log}`);
  if (process.env.JUNIT_DIR) suite.writeJunit(path.join(process.env.JUNIT_DIR, 'extension-healing-e2e.xml'));
  const counts = { passed: suite.cases.filter((c) => !c.error && !c.skipped).length, failed: suite.cases.filter((c) => c.error).length, skipped: suite.cases.filter((c) => c.skipped).length };
  console.log(`extension-healing-e2e: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = suite.failed ? 1 : 0;
}
