// valueKindOf on real elements in Chromium: the facts it reads (labels, aria-labelledby,
// contenteditable, privacy's mask) lead to the kinds the pure table in value-kind.test.ts checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnv, openPage, type Env } from './browser.js';

let env: Env;
beforeAll(async () => {
  env = await openEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const FORM = `
  <form>
    <label for="u">Username</label><input id="u" name="login_name">
    <label>Your email <input id="e" type="email"></label>
    <input id="given" autocomplete="shipping given-name">
    <label for="pw">Password</label><input id="pw" type="password">
    <label for="card">Card</label><input id="card" name="card-number">
    <span id="t-label">Page title</span><input id="t" aria-labelledby="t-label">
    <input id="s" type="search" aria-label="Search">
    <textarea id="body"></textarea>
    <div id="rich" contenteditable="true"></div>
    <div id="rich-off" contenteditable="false"></div>
    <input id="pname" placeholder="Project name">
    <select id="vendor"><option>ABC</option></select>
    <select id="country" autocomplete="country"><option>France</option></select>
    <input id="agree" type="checkbox" aria-label="Email me updates">
    <input id="qty" type="number" aria-label="Quantity">
    <input id="due" type="date" aria-label="Due date">
    <input id="dob" type="date" aria-label="Date of birth">
    <input id="code" aria-label="Discount code">
    <input id="deny" aria-label="Title" class="secret">
  </form>`;

describe('valueKindOf in Chromium', () => {
  it('classifies the fields of a page', async () => {
    const page = await openPage(env, '/v1/invoice.html');
    const kinds = await page.evaluate((html) => {
      document.body.innerHTML = html;
      const core = window.StepwiseGuideCore;
      const out: Record<string, string> = {};
      for (const el of Array.from(document.querySelectorAll('[id]'))) {
        if (el.id === 't-label') continue;
        out[el.id] = core.valueKindOf(el, { denySelectors: ['.secret'] });
      }
      return out;
    }, FORM);
    await page.close();
    expect(kinds).toEqual({
      u: 'personal',
      e: 'personal',
      given: 'personal',
      pw: 'personal',
      card: 'personal',
      t: 'free',
      s: 'free',
      body: 'free',
      rich: 'free',
      'rich-off': 'fixed',
      pname: 'free',
      vendor: 'fixed',
      country: 'personal',
      agree: 'fixed',
      qty: 'fixed',
      due: 'fixed',
      dob: 'personal',
      code: 'fixed',
      deny: 'personal',
    });
  });
});
