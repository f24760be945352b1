#!/usr/bin/env node
// End-to-end run of the dashboard against the real server: sign up, settings, invite link, join as
// a member, roles, rename, rotate, remove, sign out. Chromium is Debian's /usr/bin/chromium.
// Writes a screenshot of every page to build/e2e-screenshots/dashboard/ and, when JUNIT_DIR is set,
// $JUNIT_DIR/dashboard-e2e.xml.
//
// The brief asks for playwright-core; it is not installed in this workspace (no installs allowed),
// so this drives Chromium with puppeteer-core, which is (the workspace's @puppeteer/replay uses it).
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import {
  Steps,
  dashboardDir,
  repoRoot,
  resetScreenshots,
  screenshotDir,
  serverServesDashboard,
  startServer,
  startStaticServer,
} from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT = 15_000;

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const aria = (role, name) => `::-p-aria([name="${name}"][role="${role}"])`;

async function click(page, role, name) {
  await page.locator(aria(role, name)).setTimeout(TIMEOUT).click();
}

async function fill(page, selector, value) {
  await page.locator(selector).setTimeout(TIMEOUT).fill(value);
}

async function waitText(page, text) {
  try {
    await page.waitForFunction((t) => document.body?.innerText.includes(t), { timeout: TIMEOUT }, text);
  } catch {
    const body = await page.evaluate(() => document.body?.innerText ?? '');
    throw new Error(`Text not found: ${JSON.stringify(text)} on ${page.url()}\n--- page text ---\n${body.slice(0, 1500)}`);
  }
}

async function waitNoText(page, text) {
  await page.waitForFunction((t) => !document.body?.innerText.includes(t), { timeout: TIMEOUT }, text);
}

async function waitPath(page, pathname) {
  try {
    await page.waitForFunction((p) => location.pathname === p, { timeout: TIMEOUT }, pathname);
  } catch {
    throw new Error(`Expected to be at ${pathname}, am at ${page.url()}`);
  }
}

/** Toasts float over the page; clear them before clicking what they might cover. */
async function dismissToasts(page) {
  await page.$$eval('button[aria-label^="Dismiss:"]', (buttons) => buttons.forEach((b) => b.click()));
}

async function hasLink(page, name) {
  return (await page.$(aria('link', name))) !== null;
}

let shotCount = 0;
async function shot(page, name) {
  shotCount += 1;
  // Let transitions and toasts settle.
  await new Promise((r) => setTimeout(r, 150));
  const file = path.join(screenshotDir, `${String(shotCount).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function main() {
  if (!existsSync(path.join(dashboardDir, 'index.html'))) {
    console.log('Building the dashboard (build/web/dashboard is missing)…');
    execSync('npm run build -w packages/dashboard', { cwd: repoRoot, stdio: 'inherit' });
  }
  resetScreenshots();
  const steps = new Steps('dashboard-e2e');
  const server = await startServer();
  let staticServer = null;
  let base = server.base;
  // E2E_DASHBOARD_STATIC=1 forces the stand-in static server (to check it, or a server without the SPA fallback).
  if (process.env.E2E_DASHBOARD_STATIC !== '1' && (await serverServesDashboard(server.base))) {
    console.log(`The server serves the dashboard at / (${server.base})`);
  } else {
    staticServer = await startStaticServer(server.base);
    base = staticServer.base;
    console.log(`Stand-in static server (the real server does not serve the dashboard at /, or E2E_DASHBOARD_STATIC=1): serving build/web/dashboard at ${base}, /api proxied to ${server.base}`);
  }

  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    defaultViewport: { width: 1280, height: 800 },
  });

  const stamp = Date.now().toString(36);
  const admin = { name: 'Ada Lovelace', email: `ada-${stamp}@example.com`, password: 'correct horse battery', company: 'Analytical Engines Ltd' };
  // A hostile display name: must render as text, never as markup.
  const member = { name: 'Bob <img src=x onerror="window.__xss=1">', email: `bob-${stamp}@example.com`, password: 'another good password' };
  const errors = [];

  const adminContext = await browser.createBrowserContext();
  await adminContext.overridePermissions(base, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
  const a = await adminContext.newPage();
  a.on('pageerror', (e) => errors.push(`admin page: ${e.message}`));
  let memberContext = null;
  let m = null;
  let inviteLink = '';
  let memberId = 0;

  try {
    await steps.step('signed-out visitor is sent to sign in', async () => {
      await a.goto(`${base}/`, { waitUntil: 'networkidle0' });
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

    await steps.step('sign up creates the company and shows the shell', async () => {
      await fill(a, 'input[name=password]', admin.password);
      await click(a, 'button', 'Create company');
      await waitPath(a, '/account');
      await waitText(a, `Welcome, ${admin.name}`);
      const company = await a.$eval('[data-testid=company-name]', (el) => el.textContent);
      assert(company === admin.company, `nav shows company ${company}`);
      assert(await hasLink(a, 'Settings'), 'an admin sees Settings');
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
      memberContext = await browser.createBrowserContext();
      m = await memberContext.newPage();
      m.on('pageerror', (e) => errors.push(`member page: ${e.message}`));
      await m.goto(inviteLink, { waitUntil: 'networkidle0' });
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

    await steps.step('a member joins by the invite link and sees no Settings', async () => {
      await fill(m, 'input[name=email]', member.email);
      await click(m, 'button', `Join ${admin.company}`);
      await waitPath(m, '/account');
      await waitText(m, `Welcome, ${member.name}`);
      assert(!(await hasLink(m, 'Settings')), 'a member must not see Settings');
      const injected = await m.evaluate(() => ({ xss: window.__xss ?? null, imgs: document.querySelectorAll('main img, header img').length }));
      assert(injected.xss === null && injected.imgs === 0, `the member's name was rendered as markup: ${JSON.stringify(injected)}`);
      await shot(m, 'account-member');
    });

    await steps.step('a member who opens /settings is sent back with a message', async () => {
      await m.goto(`${base}/settings`, { waitUntil: 'networkidle0' });
      await waitPath(m, '/account');
      await waitText(m, 'Settings are for admins');
      await shot(m, 'member-settings-redirect');
      const status = await m.evaluate(async () => {
        const res = await fetch('/api/company', { headers: { Authorization: `Bearer ${localStorage.getItem('stepwise.token')}` } });
        return res.status;
      });
      assert(status === 403, `the API must refuse a member (got ${status})`);
    });

    await steps.step('the admin renames the company and the nav follows', async () => {
      await a.reload({ waitUntil: 'networkidle0' });
      await waitText(a, 'Showing 1–2 of 2');
      await fill(a, 'input[name=company_name]', 'Difference Engines plc');
      await click(a, 'button', 'Save');
      await waitText(a, 'Company name saved');
      await a.waitForFunction(() => document.querySelector('[data-testid=company-name]')?.textContent === 'Difference Engines plc', { timeout: TIMEOUT });
      await shot(a, 'settings-renamed');
      await m.reload({ waitUntil: 'networkidle0' });
      await m.waitForFunction(() => document.querySelector('[data-testid=company-name]')?.textContent === 'Difference Engines plc', { timeout: TIMEOUT });
    });

    await steps.step('the last admin cannot demote themselves (LAST_ADMIN explained)', async () => {
      const adminRow = await a.$$eval('tr[data-testid^=user-row-]', (rows) => rows.map((r) => r.getAttribute('data-testid')));
      const myId = adminRow[0].replace('user-row-', '');
      memberId = Number(adminRow[1].replace('user-row-', ''));
      await a.select(`#role-${myId}`, 'regular');
      await waitText(a, 'A company always needs at least one admin');
      const value = await a.$eval(`#role-${myId}`, (el) => el.value);
      assert(value === 'admin', 'the select must go back to admin');
      await shot(a, 'settings-last-admin');
    });

    await steps.step('the admin promotes the member, who then sees Settings', async () => {
      await a.select(`#role-${memberId}`, 'admin');
      await waitText(a, 'is now an admin');
      await shot(a, 'settings-promoted');
      await m.reload({ waitUntil: 'networkidle0' });
      await waitText(m, 'Welcome,');
      assert(await hasLink(m, 'Settings'), 'a promoted member sees Settings');
      await shot(m, 'account-promoted-member');
    });

    await steps.step('the admin demotes the member again, who loses Settings', async () => {
      await a.select(`#role-${memberId}`, 'regular');
      await waitText(a, 'is now a member');
      await m.reload({ waitUntil: 'networkidle0' });
      await waitText(m, 'Welcome,');
      assert(!(await hasLink(m, 'Settings')), 'a demoted member must not see Settings');
    });

    await steps.step('rotating the invite link asks first, and the old link stops working', async () => {
      await click(a, 'button', 'Rotate link…');
      await a.waitForSelector('[role=alertdialog]', { timeout: TIMEOUT });
      await shot(a, 'settings-rotate-confirm');
      await click(a, 'button', 'Replace link');
      await waitText(a, 'New invite link created');
      const next = await a.$eval('#invite-link', (el) => el.value);
      assert(next !== inviteLink, 'the link must change');
      const visitor = await browser.createBrowserContext();
      const v = await visitor.newPage();
      await v.goto(inviteLink, { waitUntil: 'networkidle0' });
      await waitText(v, 'This invite link is not valid any more');
      await shot(v, 'join-invalid-link');
      await visitor.close();
      inviteLink = next;
    });

    await steps.step('dialogs work from the keyboard: Enter opens, focus on Cancel, Escape closes', async () => {
      await dismissToasts(a);
      await a.locator(aria('button', 'Rotate link…')).setTimeout(TIMEOUT).wait();
      await a.$eval('::-p-aria([name="Rotate link…"][role="button"])', (el) => el.focus());
      await a.keyboard.press('Enter');
      await a.waitForSelector('[role=alertdialog]', { timeout: TIMEOUT });
      const focused = await a.evaluate(() => document.activeElement?.textContent);
      assert(focused === 'Cancel', `focus should start on Cancel, is on ${JSON.stringify(focused)}`);
      await a.keyboard.press('Tab');
      await a.keyboard.press('Tab');
      const wrapped = await a.evaluate(() => document.activeElement?.textContent);
      assert(wrapped === 'Cancel', `Tab should stay inside the dialog, is on ${JSON.stringify(wrapped)}`);
      await a.keyboard.press('Escape');
      await a.waitForFunction(() => !document.querySelector('[role=alertdialog]'), { timeout: TIMEOUT });
      const back = await a.evaluate(() => document.activeElement?.textContent);
      assert(back === 'Rotate link…', `focus should return to the opener, is on ${JSON.stringify(back)}`);
      const link = await a.$eval('#invite-link', (el) => el.value);
      assert(link === inviteLink, 'Escape must not rotate the link');
    });

    await steps.step('removing a member asks first; their session ends with a message', async () => {
      await dismissToasts(a);
      // The member's name holds quotes, so find the button by its row rather than by its label.
      await a.locator(`tr[data-testid=user-row-${memberId}] button`).setTimeout(TIMEOUT).click();
      await a.waitForSelector('[role=alertdialog]', { timeout: TIMEOUT });
      await shot(a, 'settings-remove-confirm');
      await click(a, 'button', 'Remove from team');
      await waitText(a, 'was removed from the team');
      await waitText(a, 'Showing 1–1 of 1');
      await shot(a, 'settings-after-remove');
      await m.reload({ waitUntil: 'networkidle0' });
      await waitPath(m, '/login');
      await waitText(m, 'Your session has expired — please sign in again');
      await shot(m, 'sign-in-session-expired');
    });

    await steps.step('a wrong password is told clearly', async () => {
      await fill(m, 'input[name=email]', admin.email);
      await fill(m, 'input[name=password]', 'not the password');
      await click(m, 'button', 'Sign in');
      await waitText(m, 'Email or password is incorrect.');
      await shot(m, 'sign-in-wrong-password');
    });

    await steps.step('the admin signs out and back in with the keyboard', async () => {
      await click(a, 'button', 'Sign out');
      await waitPath(a, '/login');
      await waitText(a, 'You have signed out.');
      await shot(a, 'signed-out');
      const token = await a.evaluate(() => localStorage.getItem('stepwise.token'));
      assert(token === null, 'the token must be forgotten');
      // Keyboard only: the email field has focus, Tab moves on, Enter submits.
      await a.keyboard.type(admin.email);
      await a.keyboard.press('Tab');
      await a.keyboard.type(admin.password);
      await a.keyboard.press('Enter');
      await waitPath(a, '/account');
      await waitText(a, `Welcome, ${admin.name}`);
    });

    await steps.step('an unknown address shows the not-found page', async () => {
      await a.goto(`${base}/no-such-page`, { waitUntil: 'networkidle0' });
      await waitText(a, 'This page does not exist');
      await shot(a, 'not-found');
    });

    await steps.step('no uncaught errors in the pages', async () => {
      assert(errors.length === 0, errors.join('\n'));
    });
  } finally {
    await browser.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
    if (staticServer) await staticServer.stop();
    const log = await server.stop();
    if (steps.failed) console.log(`Server log: ${log}`);
    else rmSync(server.dataDir, { recursive: true, force: true });
  }

  if (process.env.JUNIT_DIR) steps.writeJunit(path.join(process.env.JUNIT_DIR, 'dashboard-e2e.xml'));
  console.log(`${steps.cases.filter((c) => !c.error && !c.skipped).length}/${steps.cases.length} steps passed; ${shotCount} screenshots in ${path.relative(repoRoot, screenshotDir)}`);
  process.exit(steps.failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
