// What a person does with the extension, shared by the end-to-end suites: open the popup for a
// tab, sign in through it, record (count the recorder's steps), publish a workflow, start a guide.
import { clickElement } from '../fixtures/redesign/drive.mjs';
import { assert, sleep, tabIdOf, waitFor } from './harness.mjs';

/**
 * Does a fixture step's action as a person: real clicks, typing committed with Tab, a select
 * chosen with the keyboard (trusted events; selectOption's are not, and the recorder ignores them).
 */
export async function userAct(page, step, handle) {
  if (step.action === 'click' || step.action === 'check') return clickElement(page, handle);
  if (step.action === 'input') {
    await clickElement(page, handle);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(step.value ?? '');
    await page.keyboard.press('Tab');
    return 'type';
  }
  if (step.action === 'select') {
    await handle.focus();
    for (let i = 0; i < 12 && (await handle.evaluate((el) => el.value)) !== step.value; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    return 'select';
  }
  throw new Error(`unknown action ${step.action}`);
}

/**
 * @param {{ context: import('playwright-core').BrowserContext, extensionId: string, serverBase: string,
 *           call: Function, adminToken: () => string }} env
 */
export function flows({ context, extensionId, serverBase, call, adminToken }) {
  async function openPopup(tabId) {
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
    return popup;
  }

  async function signInPopup(popup, who) {
    const form = popup.getByRole('form', { name: 'Sign in' });
    await form.or(popup.getByTestId('who')).first().waitFor({ timeout: 10_000 });
    if (!(await form.isVisible())) {
      if (((await popup.getByTestId('who').textContent()) ?? '').includes(who.name)) return;
      await popup.getByRole('button', { name: 'Sign out' }).click();
      await form.waitFor({ timeout: 10_000 });
    }
    await popup.getByLabel('Server URL').fill(serverBase);
    await popup.getByLabel('Email').fill(who.email);
    await popup.getByLabel('Password').fill(who.password);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.getByTestId('who').waitFor({ timeout: 10_000 });
  }

  /** The lifecycle: draft → processing → needs_review → active (the labeler moves it to needs_review). */
  async function approve(workflowId) {
    for (const status of ['processing', 'needs_review', 'active']) {
      const cur = await call('GET', `/api/workflows/${workflowId}`, { token: adminToken() });
      if (cur.json?.data?.status === 'active') break;
      await call('PUT', `/api/workflows/${workflowId}`, { token: adminToken(), body: { status } });
    }
    const after = await call('GET', `/api/workflows/${workflowId}`, { token: adminToken() });
    assert(after.json?.data?.status === 'active', `workflow not active: ${after.text}`);
  }

  /**
   * Waits for the recorder's count to reach `n`, then pauses like a person between two actions
   * (Chrome allows 2 screenshots a second: at machine speed each image would show a later state).
   */
  async function expectSteps(page, n) {
    await waitFor(() => page.evaluate((want) => Number(document.querySelector('stepwise-recorder')?.dataset.steps) >= want, n), { message: `${n} recorded steps on ${page.url()}` });
    await sleep(650);
  }

  /** Starts recording `name` in the tab showing `page` (signed in as `admin`). */
  async function startRecording(page, admin, name) {
    const tabId = await tabIdOf(context, page.url());
    const popup = await openPopup(tabId);
    await signInPopup(popup, admin);
    await popup.getByLabel('Name').fill(name);
    await popup.getByRole('button', { name: 'Record a workflow' }).click();
    await popup.getByTestId('recording-status').waitFor({ timeout: 10_000 });
    await popup.close();
    await page.bringToFront();
    await page.locator('stepwise-recorder').waitFor({ state: 'attached', timeout: 10_000 });
    return tabId;
  }

  /** Stops the recording in `tabId`, waits for its upload and returns the new workflow's id. */
  async function stopAndUpload(tabId, name, steps) {
    const popup = await openPopup(tabId);
    await waitFor(async () => (await popup.getByTestId('step-count').textContent()) === String(steps), { message: `popup shows ${steps} steps` });
    await popup.getByRole('button', { name: 'Stop & upload' }).click();
    await popup.locator('[data-testid="upload-item"][data-status="uploaded"]', { hasText: name }).waitFor({ timeout: 30_000 });
    await popup.close();
    const list = await call('GET', `/api/workflows?q=${encodeURIComponent(name)}`, { token: adminToken() });
    const wf = list.json.data.find((w) => w.name === name);
    assert(wf, `workflow ${name} not listed: ${list.text}`);
    return wf.id;
  }

  /** Starts `workflowName` from the popup as `who`, from `page` (already showing some page of the app). */
  async function startGuide(page, who, workflowName) {
    const tabId = await tabIdOf(context, page.url());
    const popup = await openPopup(tabId);
    await signInPopup(popup, who);
    await popup
      .getByRole('button', { name: `Start ${workflowName}` })
      .click({ timeout: 15_000 })
      .catch(async (e) => {
        throw new Error(`${e.message.split('\n')[0]}; the popup shows: ${(await popup.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 600)}`);
      });
    await popup.close().catch(() => {});
    await page.bringToFront();
  }

  return { openPopup, signInPopup, approve, expectSteps, startRecording, stopAndUpload, startGuide };
}
