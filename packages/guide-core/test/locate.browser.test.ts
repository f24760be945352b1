// Record targets on v1 of each fixture screen, then locate them on v2 (ids, classes, order,
// wrappers and text changed): the right element, or "not found" when v2 removed it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openEnv, openPage, type Env } from './browser.js';

/** How the test itself finds an element: CSS steps, `frame:` / `shadow:` enter a frame or root. */
type Path = string[];

interface Case {
  name: string;
  screen: string;
  v1: Path;
  v2: Path | null;
  /** Runs on both versions before recording / locating (e.g. open the dialog). */
  setup?: (page: Page, version: 1 | 2) => Promise<void>;
  route?: { v1: string; v2: string };
}

const openDialog = async (page: Page, version: 1 | 2) => {
  await page.click(version === 1 ? '#open_archive' : 'main > button');
};

const cases: Case[] = [
  { name: 'invoice: vendor select', screen: 'invoice', v1: ['#vendor_dropdown'], v2: ['select[name=vendor]'] },
  { name: 'invoice: invoice number', screen: 'invoice', v1: ['#invoice_number'], v2: ['input[name=invoice_number]'] },
  { name: 'invoice: amount', screen: 'invoice', v1: ['#amount'], v2: ['input[name=amount]'] },
  { name: 'invoice: submit', screen: 'invoice', v1: ['#submit_invoice'], v2: ['button[type=submit]'] },
  { name: 'invoice: removed "Save draft"', screen: 'invoice', v1: ['#save_draft'], v2: null },
  { name: 'table: search', screen: 'table', v1: ['#search'], v2: ['input[type=search]'] },
  { name: 'table: edit Globex row', screen: 'table', v1: ['tbody tr:nth-child(2) .edit'], v2: ['button[aria-label="Edit Globex"]'] },
  { name: 'table: delete Initech row', screen: 'table', v1: ['tbody tr:nth-child(3) .delete'], v2: ['button[aria-label="Delete Initech"]'] },
  { name: 'table: removed delete on Globex', screen: 'table', v1: ['tbody tr:nth-child(2) .delete'], v2: null },
  { name: 'spa: nav link', screen: 'spa', v1: ['#nav_reports'], v2: ['a[data-route="/spa/reports"]'] },
  {
    name: 'spa: late-rendered export button',
    screen: 'spa',
    route: { v1: '/v1/spa/reports', v2: '/v2/spa/reports' },
    v1: ['#export_csv'],
    v2: ['.toolbar button'],
  },
  { name: 'spa: removed export PDF', screen: 'spa', route: { v1: '/v1/spa/reports', v2: '/v2/spa/reports' }, v1: ['#export_pdf'], v2: null },
  { name: 'modal: open button', screen: 'modal', v1: ['#open_archive'], v2: ['main > button'] },
  { name: 'modal: confirm in dialog', screen: 'modal', setup: openDialog, v1: ['#dlg_confirm'], v2: ['dialog .Btn_danger__3'] },
  { name: 'modal: removed cancel', screen: 'modal', setup: openDialog, v1: ['#dlg_cancel'], v2: null },
  { name: 'shadow: button in shadow root', screen: 'shadow', v1: ['date-picker', 'shadow:button.today'], v2: ['date-picker', 'shadow:button'] },
  { name: 'shadow: input in shadow root', screen: 'shadow', v1: ['date-picker', 'shadow:input'], v2: ['date-picker', 'shadow:input'] },
  { name: 'shadow: removed clear button', screen: 'shadow', v1: ['date-picker', 'shadow:button.clear'], v2: null },
  { name: 'iframe: company field', screen: 'frame', v1: ['iframe', 'frame:#company'], v2: ['iframe', 'frame:input[name=company]'] },
  { name: 'iframe: save button', screen: 'frame', v1: ['iframe', 'frame:#save_billing'], v2: ['iframe', 'frame:button'] },
];

// In-page: follow a Path to an element (stringified into page.evaluate).
const PICK = `(path) => {
  let scope = document; let el = null;
  for (const step of path) {
    if (step.startsWith('shadow:')) { scope = el.shadowRoot; el = scope.querySelector(step.slice(7)); }
    else if (step.startsWith('frame:')) { scope = el.contentDocument; el = scope.querySelector(step.slice(6)); }
    else el = scope.querySelector(step);
    if (!el) return null;
  }
  return el;
}`;

let env: Env;
beforeAll(async () => {
  env = await openEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

async function prepare(c: Case, version: 1 | 2): Promise<Page> {
  const path = c.route ? (version === 1 ? c.route.v1 : c.route.v2) : `/v${version}/${c.screen}.html`;
  const page = await openPage(env, path);
  if (c.screen === 'frame') await page.waitForFunction(() => !!document.querySelector('iframe')?.contentDocument?.querySelector('form'));
  if (c.setup) await c.setup(page, version);
  return page;
}

describe('locate: targets recorded on v1 are found on v2', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const p1 = await prepare(c, 1);
      if (c.route) await p1.waitForFunction(`(${PICK})(${JSON.stringify(c.v1)}) !== null`);
      const target = await p1.evaluate(`StepwiseGuideCore.describeElement((${PICK})(${JSON.stringify(c.v1)}))`);
      await p1.close();
      expect(target).toBeTruthy();

      const p2 = await prepare(c, 2);
      const result = (await p2.evaluate(
        `(async () => {
          const r = await StepwiseGuideCore.locate(${JSON.stringify(target)}, document, { timeoutMs: 2500, quietMs: 500 });
          const want = ${c.v2 ? `(${PICK})(${JSON.stringify(c.v2)})` : 'null'};
          return { found: !!r.element, same: r.element === want, wantExists: !!want, method: r.method, reason: r.reason || null,
                   score: r.score, top: r.candidates.slice(0, 3).map((x) => [x.score, x.selector]) };
        })()`,
      )) as { found: boolean; same: boolean; wantExists: boolean; method: string | null; reason: string | null; score: number; top: unknown[] };
      await p2.close();
      if (c.v2) {
        expect(result.wantExists, 'fixture: expected v2 element exists').toBe(true);
        expect(result, JSON.stringify(result)).toMatchObject({ found: true, same: true });
        expect(['selector', 'healed']).toContain(result.method);
      } else {
        expect(result, JSON.stringify(result)).toMatchObject({ found: false, method: null });
      }
    }, 30_000);
  }
});

describe('locate: no clear winner', () => {
  it('returns no element but ranked candidates (with their targets) for the server to decide', async () => {
    const p1 = await openPage(env, '/v1/table.html');
    const target = await p1.evaluate(() => {
      document.querySelector('main')!.insertAdjacentHTML('beforeend', '<div class="review"><button class="approve">Approve</button></div>');
      return window.StepwiseGuideCore.describeElement(document.querySelector('button.approve')!);
    });
    await p1.close();
    const p2 = await openPage(env, '/v2/table.html');
    const r = (await p2.evaluate(async (t) => {
      // v2 splits the action in two look-alikes: healing must not pick one on its own.
      document.querySelector('main')!.insertAdjacentHTML('beforeend', '<section class="review"><p><button class="a1">Approve</button> <button class="a2">Approve</button></p></section>');
      const res = await window.StepwiseGuideCore.locate(t, document, { timeoutMs: 1500, quietMs: 200 });
      return { found: !!res.element, method: res.method, reason: res.reason, n: res.candidates.length, top: res.candidates.slice(0, 2).map((c) => ({ score: c.score, selector: c.selector, text: c.target.element_meta.inner_text, hasSelectors: !!c.target.selectors })) };
    }, target)) as { found: boolean; method: string | null; reason: string; n: number; top: { score: number; selector: string; text: string; hasSelectors: boolean }[] };
    await p2.close();
    expect(r, JSON.stringify(r)).toMatchObject({ found: false });
    expect(r.method).toBeNull();
    expect(r.reason).toBe('ambiguous');
    expect(r.n).toBeGreaterThanOrEqual(2);
    expect(r.n).toBeLessThanOrEqual(10);
    expect(r.top.map((c) => c.text)).toEqual(['Approve', 'Approve']);
    expect(r.top.every((c) => c.hasSelectors && c.score >= 30)).toBe(true);
    expect(new Set(r.top.map((c) => c.selector)).size).toBe(2);
  }, 30_000);
});
