// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PopupState, Request } from '../shared/messages';
import { App, savedText } from './app';
import { linkedWorkflowId, usePopup } from './store';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const base: PopupState = { serverUrl: 'http://127.0.0.1:8000', serverLocked: false, companyHint: null, auth: null, recording: null, pending: [], walkthrough: null, errors: [] };
let state: PopupState = base;
let granted = true;
const sent: Request[] = [];
const accessAsked: chrome.permissions.Permissions[] = [];
let saveReply: unknown = null;
let activeTab = { id: 3, url: 'http://app.test/' };

vi.stubGlobal('chrome', {
  runtime: {
    sendMessage: async (msg: Request) => {
      sent.push(msg);
      if (msg.type === 'popup/state') return { ok: true, value: state };
      if (msg.type === 'check-session/save') return saveReply;
      if (msg.type === 'guides/get') return { ok: true, value: { id: msg.workflowId, name: 'Create an <b>invoice</b>', starting_url: 'http://app.test:4000/login' } };
      return { ok: true, value: null };
    },
  },
  tabs: {
    get: async (id: number) => ({ id, url: 'chrome-extension://x/popup.html' }),
    query: async () => [activeTab],
  },
  permissions: {
    request: async (p: chrome.permissions.Permissions) => {
      accessAsked.push(p);
      return granted;
    },
  },
});
afterAll(() => vi.unstubAllGlobals());

let root: Root;
let host: HTMLElement;

async function render(search = '') {
  history.replaceState(null, '', `/popup.html${search}`);
  usePopup.setState({ state: null, tabId: null, tabUrl: null, guides: null, busy: null, error: null });
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  await act(async () => root.render(<App />));
  await act(async () => new Promise((r) => setTimeout(r, 20)));
}

const input = (name: string) => host.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
const button = (label: string) => [...host.querySelectorAll('button')].find((b) => b.textContent === label)!;

beforeEach(() => {
  state = base;
  granted = true;
  sent.length = 0;
  accessAsked.length = 0;
  saveReply = null;
  activeTab = { id: 3, url: 'http://app.test/' };
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

describe('sign-in form', () => {
  it('starts from the server the worker names (server.json, or the last one) and can be changed', async () => {
    await render();
    expect(input('server').value).toBe('http://127.0.0.1:8000');
    expect(input('server').readOnly).toBe(false);
    expect(host.querySelector('[data-testid="company-hint"]')).toBeNull();
  });

  it('with the organisation’s server: read-only, said so, the company hint shown, and that server signed in to', async () => {
    state = { ...base, serverUrl: 'https://sw.acme.test', serverLocked: true, companyHint: 'Acme <Corp>' };
    await render();
    expect(input('server').readOnly).toBe(true);
    expect(input('server').value).toBe('https://sw.acme.test');
    expect(host.textContent).toContain('Set by your organisation');
    expect(host.querySelector('[data-testid="company-hint"]')!.textContent).toBe('Sign in with your Acme <Corp> account.');
    await act(async () => {
      input('email').value = 'bo@acme.test';
      input('email').dispatchEvent(new Event('input', { bubbles: true }));
      host.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(sent.find((m) => m.type === 'auth/sign-in')).toMatchObject({ serverUrl: 'https://sw.acme.test' });
  });
});

describe('a share link’s start page (popup.html?tab=&start=)', () => {
  const signedIn: PopupState = { ...base, auth: { serverUrl: base.serverUrl, user: { id: 7, email: 'bo@acme.test', name: 'Bo', role: 'regular' }, company: null } };

  it('reads only a positive id', () => {
    expect(linkedWorkflowId('?tab=4&start=12')).toBe(12);
    for (const bad of ['', '?start=0', '?start=-1', '?start=1e3', '?start=12abc']) expect(linkedWorkflowId(bad)).toBeNull();
  });

  it('names the guide (as text) and, once access is granted, starts it in this tab', async () => {
    state = signedIn;
    await render('?tab=41&start=5');
    const card = host.querySelector('[data-testid="start-from-link"]')!;
    expect(card.textContent).toContain('Create an <b>invoice</b>');
    expect(card.querySelector('b')).toBeNull();
    expect(card.textContent).toContain('app.test:4000');
    await act(async () => button('Start the guide').click());
    expect(sent.find((m) => m.type === 'walkthrough/start')).toEqual({ type: 'walkthrough/start', tabId: 41, workflowId: 5 });
  });

  it('without the access, says why and starts nothing', async () => {
    state = signedIn;
    granted = false;
    await render('?tab=41&start=5');
    await act(async () => button('Start the guide').click());
    expect(sent.some((m) => m.type === 'walkthrough/start')).toBe(false);
    expect(host.querySelector('[role="status"]')!.textContent).toMatch(/access to the websites/);
  });
});

describe('Save a session for checks', () => {
  const as = (role: 'admin' | 'regular'): PopupState => ({ ...base, auth: { serverUrl: base.serverUrl, user: { id: 1, email: 'ada@acme.test', name: 'Ada', role }, company: null } });
  const session = { id: 4, origin: 'https://crm.acme.test:8443', cookie_count: 2, local_storage_count: 1, key_id: 'k0', captured_at: '2026-12-07T10:00:00Z', captured_by: 1 };
  const saveButton = () => [...host.querySelectorAll('button')].find((b) => /Save a session for checks|Saving…/.test(b.textContent ?? ''));

  it('an admin on a web page: the button, and what saving means for that origin', async () => {
    state = as('admin');
    activeTab = { id: 3, url: 'https://crm.acme.test:8443/accounts?page=2' };
    await render();
    expect(saveButton()!.disabled).toBe(false);
    expect(host.querySelector('[data-testid="check-session-help"]')!.textContent).toBe(
      'Checks of workflows recorded on https://crm.acme.test:8443 will sign in as you. Saved encrypted; replace or delete it any time in Settings.',
    );
  });

  it('a click asks for access to the site, then the worker saves it; the popup shows the counts', async () => {
    state = as('admin');
    activeTab = { id: 3, url: 'https://crm.acme.test:8443/accounts' };
    saveReply = { ok: true, value: { session, leftOut: { cookies: 0, localStorage: 0 } } };
    await render();
    await act(async () => saveButton()!.click());
    expect(accessAsked).toEqual([{ origins: ['https://crm.acme.test/*'] }]);
    expect(sent.filter((m) => m.type === 'check-session/save')).toEqual([{ type: 'check-session/save', tabId: 3, origin: 'https://crm.acme.test:8443' }]);
    expect(host.querySelector('[data-testid="check-session-saved"]')!.textContent).toBe('Saved: 2 cookies, 1 local storage item for https://crm.acme.test:8443');
  });

  it('access refused: says why and sends nothing', async () => {
    state = as('admin');
    granted = false;
    await render();
    await act(async () => saveButton()!.click());
    expect(sent.some((m) => m.type === 'check-session/save')).toBe(false);
    expect(host.querySelector('[role="status"]')!.textContent).toMatch(/needs access to http:\/\/app\.test/);
  });

  it('the worker’s error is shown as it says it', async () => {
    state = as('admin');
    saveReply = { ok: false, error: 'Only admins can save a session for checks.' };
    await render();
    await act(async () => saveButton()!.click());
    expect(host.querySelector('[role="alert"]')!.textContent).toBe('Only admins can save a session for checks.');
    expect(host.querySelector('[data-testid="check-session-saved"]')).toBeNull();
  });

  it('disabled on a page that is not http(s)', async () => {
    state = as('admin');
    activeTab = { id: 3, url: 'chrome://extensions/' };
    await render();
    expect(saveButton()!.disabled).toBe(true);
    expect(host.querySelector('[data-testid="check-session-help"]')!.textContent).toMatch(/Open the signed-in web app/);
  });

  it('a colleague who is not an admin does not see it', async () => {
    state = as('regular');
    await render();
    expect(saveButton()).toBeUndefined();
    expect(host.textContent).not.toContain('Scheduled checks');
  });

  it('says what was left out, in words', () => {
    expect(savedText({ session: { ...session, cookie_count: 1, local_storage_count: 0 }, leftOut: { cookies: 0, localStorage: 0 } })).toBe(
      'Saved: 1 cookie, 0 local storage items for https://crm.acme.test:8443',
    );
    expect(savedText({ session, leftOut: { cookies: 1, localStorage: 3 } })).toBe(
      'Saved: 2 cookies, 1 local storage item for https://crm.acme.test:8443. Left out: 1 cookie, 3 local storage items (too large, too many, or a cookie of another domain).',
    );
  });
});
