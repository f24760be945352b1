import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExternalSender } from '../shared/external';
import { acceptExternal, answerExternal, type ExternalAnswer } from './external.background';
import { assertServerAllowed, serverConfig } from './server-config.background';

// The walkthrough itself is tested elsewhere: here only that the share link starts it in the
// sender's tab.
const startRun = vi.hoisted(() => vi.fn(async () => {}));
vi.mock('./walkthrough.background', () => ({ startRun }));

const SERVER = 'http://127.0.0.1:8000';
const OTHER = 'http://127.0.0.1:9000';
const CODE = 'c'.repeat(43);
const EXT = 'chrome-extension://mjbjapkbokledfpmbiomgedmlngbdmbh';

let local: Record<string, unknown> = {};
let managed: Record<string, unknown> = {};
let packaged: unknown = null;
let hasAccess = true;
const tabUpdates: [number, { url?: string }][] = [];

/** The server: one-time codes, who they belong to, and two workflows (one published). */
const server = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(String(input));
  const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  if (url.href === `${EXT}/server.json`) return packaged ? reply(200, packaged) : reply(404, {});
  const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
  if (url.pathname === '/api/auth/connect') {
    const { code } = JSON.parse(String(init?.body)) as { code: string };
    if (code !== CODE) return reply(401, { error: { code: 'INVALID_CONNECT_CODE', message: 'no' } });
    return reply(200, { data: { token: 'tok-1', user: { id: 7, email: 'bo@acme.test', name: 'Bo', role: 'regular' } }, meta: {} });
  }
  if (url.pathname === '/api/auth/me') return reply(200, { data: { id: 7, company: { id: 1, name: 'Acme' } }, meta: {} });
  if (!auth) return reply(401, { error: { code: 'UNAUTHORIZED', message: 'sign in' } });
  const wf = (id: number, status: string) => ({ id, name: `Guide ${id}`, status, starting_url: 'http://app.test/start', steps: [{ id: 1 }] });
  if (url.pathname === '/api/workflows/5') return reply(200, { data: wf(5, 'active'), meta: {} });
  if (url.pathname === '/api/workflows/6') return reply(200, { data: wf(6, 'draft'), meta: {} });
  return reply(404, { error: { code: 'WORKFLOW_NOT_FOUND', message: 'no' } });
});

vi.stubGlobal('fetch', server);
vi.stubGlobal('chrome', {
  storage: {
    local: {
      get: async (key: string | string[]) => Object.fromEntries((Array.isArray(key) ? key : [key]).map((k) => [k, local[k]])),
      set: async (items: Record<string, unknown>) => void Object.assign(local, items),
      remove: async (key: string) => void delete local[key],
    },
    managed: { get: async () => ({ ...managed }) },
  },
  runtime: { getManifest: () => ({ version: '0.1.0' }), getURL: (p: string) => `${EXT}/${p}` },
  permissions: { contains: async () => hasAccess },
  tabs: { update: async (tabId: number, props: { url?: string }) => void tabUpdates.push([tabId, props]) },
});
vi.spyOn(console, 'warn').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const page = (origin: string, over: Partial<ExternalSender> = {}): ExternalSender => ({ origin, url: `${origin}/extension`, tab: { id: 31 }, frameId: 0, ...over });

async function ask(msg: unknown, sender: ExternalSender): Promise<ExternalAnswer> {
  const accepted = acceptExternal(msg, sender);
  if (!accepted) throw new Error('not accepted');
  return answerExternal(accepted);
}

beforeEach(() => {
  local = {};
  managed = {};
  packaged = null;
  hasAccess = true;
  tabUpdates.length = 0;
  server.mockClear();
  startRun.mockClear();
});

describe('connect from the dashboard', () => {
  it('exchanges the code at the page’s own server and keeps the token in the worker only', async () => {
    const { reply } = await ask({ type: 'stepwise/connect', server_url: `${SERVER}/`, code: CODE }, page(SERVER));
    expect(reply).toEqual({ ok: true, user: { name: 'Bo', email: 'bo@acme.test' } });
    expect(JSON.stringify(reply)).not.toContain('tok-1');
    expect(local.auth).toMatchObject({ serverUrl: SERVER, token: 'tok-1', user: { id: 7, role: 'regular' }, company: { id: 1, name: 'Acme' } });
    expect(local.serverUrl).toBe(SERVER);
    const connect = server.mock.calls.find(([u]) => String(u).endsWith('/api/auth/connect'))!;
    expect(String(connect[0])).toBe(`${SERVER}/api/auth/connect`);
    expect(JSON.parse(String(connect[1]?.body))).toEqual({ code: CODE });
  });

  it('refuses a page that names another server than its own, and asks no server', async () => {
    const { reply } = await ask({ type: 'stepwise/connect', server_url: OTHER, code: CODE }, page(SERVER));
    expect(reply).toMatchObject({ ok: false, error: 'not_allowed' });
    const evil = await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page('http://localhost:3000'));
    expect(evil.reply).toMatchObject({ ok: false, error: 'not_allowed' });
    expect(server).not.toHaveBeenCalled();
    expect(local.auth).toBeUndefined();
  });

  it('a used or expired code is said so; nothing is stored', async () => {
    const { reply } = await ask({ type: 'stepwise/connect', server_url: SERVER, code: 'x'.repeat(43) }, page(SERVER));
    expect(reply).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(local.auth).toBeUndefined();
  });

  it('with the organisation’s server set, connects only to that server', async () => {
    managed = { server_url: `${OTHER}/`, company_hint: 'Acme' };
    expect((await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page(SERVER))).reply).toMatchObject({ ok: false, error: 'managed' });
    expect(server).not.toHaveBeenCalled();
    expect((await ask({ type: 'stepwise/connect', server_url: OTHER, code: CODE }, page(OTHER))).reply).toMatchObject({ ok: true });
  });

  it('is not answered from a frame, outside a tab, from another extension or with a bad message', () => {
    const msg = { type: 'stepwise/connect', server_url: SERVER, code: CODE };
    expect(acceptExternal(msg, page(SERVER, { frameId: 2 }))).toBeNull();
    expect(acceptExternal(msg, page(SERVER, { tab: undefined }))).toBeNull();
    expect(acceptExternal(msg, { origin: 'chrome-extension://other', id: 'other', tab: { id: 1 }, frameId: 0 })).toBeNull();
    expect(acceptExternal({ type: 'auth/sign-in', serverUrl: SERVER, email: 'a', password: 'b' }, page(SERVER))).toBeNull();
    expect(acceptExternal({ type: 'stepwise/ping' }, page(SERVER, { frameId: 2 }))).not.toBeNull();
  });
});

describe('ping', () => {
  it('not signed in: installed, the server it would use (server.json), nobody', async () => {
    packaged = { server_url: SERVER };
    const { reply } = await ask({ type: 'stepwise/ping' }, page(SERVER));
    expect(reply).toEqual({ installed: true, version: '0.1.0', signed_in: false, server_url: SERVER, user: null });
  });

  it('signed in: who, told only to that server’s pages', async () => {
    await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page(SERVER));
    expect((await ask({ type: 'stepwise/ping' }, page(SERVER))).reply).toMatchObject({ signed_in: true, server_url: SERVER, user: { name: 'Bo', email: 'bo@acme.test' } });
    expect((await ask({ type: 'stepwise/ping' }, page(OTHER))).reply).toMatchObject({ signed_in: true, server_url: SERVER, user: null });
  });
});

describe('start a guide from a share link', () => {
  const start = (id: number, origin = SERVER) => ask({ type: 'stepwise/start-guide', workflow_id: id }, page(origin));

  it('asks to connect first when not signed in to the page’s server', async () => {
    expect((await start(5)).reply).toMatchObject({ ok: false, error: 'not_connected' });
    await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page(SERVER));
    expect((await start(5, OTHER)).reply).toMatchObject({ ok: false, error: 'not_connected' });
  });

  it('starts a published guide in the sender’s tab, after the reply', async () => {
    await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page(SERVER));
    const answer = await start(5);
    expect(answer.reply).toEqual({ ok: true, workflow: { id: 5, name: 'Guide 5' }, needs_access: false });
    expect(startRun).not.toHaveBeenCalled();
    await answer.afterReply?.();
    expect(startRun).toHaveBeenCalledWith({ type: 'walkthrough/start', tabId: 31, workflowId: 5 });
  });

  it('without access to websites, opens the extension’s page in that tab for the click that grants it', async () => {
    await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page(SERVER));
    hasAccess = false;
    const answer = await start(5);
    expect(answer.reply).toMatchObject({ ok: true, needs_access: true });
    await answer.afterReply?.();
    expect(startRun).not.toHaveBeenCalled();
    expect(tabUpdates).toEqual([[31, { url: `${EXT}/popup.html?tab=31&start=5`, active: true }]]);
  });

  it('a draft is not started; an unknown id is not found', async () => {
    await ask({ type: 'stepwise/connect', server_url: SERVER, code: CODE }, page(SERVER));
    expect((await start(6)).reply).toMatchObject({ ok: false, error: 'not_published' });
    expect((await start(99)).reply).toMatchObject({ ok: false, error: 'not_found' });
    expect(startRun).not.toHaveBeenCalled();
  });
});

describe('which server', () => {
  it('policy first (locked), then the last one signed in to, then server.json, then localhost', async () => {
    expect(await serverConfig()).toEqual({ serverUrl: 'http://localhost:8000', locked: false, companyHint: null });
    packaged = { server_url: 'https://stepwise.acme.test/' };
    expect(await serverConfig()).toMatchObject({ serverUrl: 'https://stepwise.acme.test', locked: false });
    local.serverUrl = SERVER;
    expect(await serverConfig()).toMatchObject({ serverUrl: SERVER, locked: false });
    managed = { server_url: 'https://sw.corp.test/path', company_hint: '  Acme Corp ' };
    expect(await serverConfig()).toEqual({ serverUrl: 'https://sw.corp.test', locked: true, companyHint: 'Acme Corp' });
  });

  it('a policy value that is not an http(s) address locks nothing', async () => {
    managed = { server_url: 'javascript:alert(1)', company_hint: 'Acme' };
    expect(await serverConfig()).toEqual({ serverUrl: 'http://localhost:8000', locked: false, companyHint: 'Acme' });
  });

  it('sign-in to another server than the policy’s is refused in the worker', async () => {
    expect(await assertServerAllowed(`${SERVER}/x`)).toBe(SERVER);
    managed = { server_url: OTHER };
    await expect(assertServerAllowed(SERVER)).rejects.toThrow(/organisation/);
    expect(await assertServerAllowed(OTHER)).toBe(OTHER);
  });
});
