// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PopupState, Request } from '../shared/messages';
import { App } from './app';
import { linkedWorkflowId, usePopup } from './store';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const base: PopupState = { serverUrl: 'http://127.0.0.1:8000', serverLocked: false, companyHint: null, auth: null, recording: null, pending: [], walkthrough: null, errors: [] };
let state: PopupState = base;
let granted = true;
const sent: Request[] = [];

vi.stubGlobal('chrome', {
  runtime: {
    sendMessage: async (msg: Request) => {
      sent.push(msg);
      if (msg.type === 'popup/state') return { ok: true, value: state };
      if (msg.type === 'guides/get') return { ok: true, value: { id: msg.workflowId, name: 'Create an <b>invoice</b>', starting_url: 'http://app.test:4000/login' } };
      return { ok: true, value: null };
    },
  },
  tabs: {
    get: async (id: number) => ({ id, url: 'chrome-extension://x/popup.html' }),
    query: async () => [{ id: 3, url: 'http://app.test/' }],
  },
  permissions: { request: async () => granted },
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
