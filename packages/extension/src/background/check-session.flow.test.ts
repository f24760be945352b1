// The message flow of "Save a session for checks": the popup's typed send() → the service worker's
// listener and handler map → the server, and the answer (or a clear error) back. The worker's
// other modules are stood in for; the check-session module and the API client are the real ones.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { send, type Reply } from '../shared/messages';
import type { CheckSessionInput } from '../shared/types';

vi.mock('./recorder.background', () => ({ resumeUploads: async () => {}, recoverAfterRestart: async () => {}, adoptTab: async () => {}, activeRecording: async () => null }));
vi.mock('./db.background', () => ({}));
vi.mock('./walkthrough.background', () => ({ getRun: async () => null, onTabRemoved: async () => {} }));
vi.mock('./launcher.background', () => ({ onPageLoaded: async () => {} }));
vi.mock('./health.background', () => ({ flushHealth: async () => {} }));
vi.mock('./external.background', () => ({ acceptExternal: () => null, answerExternal: async () => ({ reply: null }) }));
vi.mock('./content-scripts.background', () => ({ removeContentScripts: async () => {} }));
vi.mock('./server-config.background', () => ({ assertServerAllowed: async (u: string) => u, serverConfig: async () => ({ serverUrl: SERVER, locked: false, companyHint: null }) }));

const SERVER = 'http://stepwise.test';
const APP = 'http://127.0.0.1:4321';
const EXT_ID = 'mjbjapkbokledfpmbiomgedmlngbdmbh';
const POPUP = { id: EXT_ID, url: `chrome-extension://${EXT_ID}/popup.html?tab=9` };

type Listener = (msg: unknown, sender: unknown, sendResponse: (r: Reply<unknown>) => void) => boolean;
const listeners: Listener[] = [];
const noop = { addListener: () => {} };
let local: Record<string, unknown> = {};
let serverAnswer: (body: CheckSessionInput) => Response;
const posted: CheckSessionInput[] = [];

/** Delivers a message to the worker's listener as Chrome does, from `sender`; undefined: no answer. */
function deliver(msg: unknown, sender: unknown): Promise<Reply<unknown> | undefined> {
  return new Promise((resolve) => {
    const async = listeners[0]!(msg, sender, resolve);
    if (!async) resolve(undefined);
  });
}

vi.stubGlobal('self', { addEventListener: () => {} });
vi.stubGlobal('chrome', {
  runtime: {
    id: EXT_ID,
    onMessage: { addListener: (l: Listener) => listeners.push(l) },
    onMessageExternal: noop,
    onInstalled: noop,
    onStartup: noop,
    sendMessage: (msg: unknown) => deliver(msg, POPUP),
  },
  tabs: { onCreated: noop, onRemoved: noop, get: async (id: number) => ({ id, url: `${APP}/accounts?x=1` }) },
  webNavigation: { onDOMContentLoaded: noop },
  alarms: { onAlarm: noop, create: async () => {} },
  storage: {
    local: {
      get: async (key: string | string[]) => Object.fromEntries((Array.isArray(key) ? key : [key]).filter((k) => k in local).map((k) => [k, local[k]])),
      set: async (items: Record<string, unknown>) => void Object.assign(local, structuredClone(items)),
      remove: async (key: string) => void delete local[key],
    },
  },
  permissions: { contains: async () => true },
  cookies: { getAll: async () => [{ name: 'qsid', value: 'cookie-secret', domain: '127.0.0.1', hostOnly: true, path: '/', secure: false, httpOnly: true, sameSite: 'lax', session: true, storeId: '0' }] },
  scripting: { executeScript: async () => [{ frameId: 0, result: { origin: APP, items: [{ name: 'auth', value: 'storage-secret' }], leftOut: 0 } }] },
});
vi.stubGlobal('fetch', async (_input: URL | string, init?: RequestInit) => {
  const body = JSON.parse(String(init?.body)) as CheckSessionInput;
  posted.push(body);
  return serverAnswer(body);
});
vi.spyOn(console, 'warn').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

await import('./index.background');

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

beforeEach(() => {
  local = { auth: { serverUrl: SERVER, token: 'tok', user: { id: 1, email: 'ada@acme.test', name: 'Ada', role: 'admin' }, company: { id: 1, name: 'Acme' } } };
  posted.length = 0;
  serverAnswer = (body) =>
    json(201, { data: { id: 4, origin: body.origin, cookie_count: body.cookies.length, local_storage_count: body.local_storage.length, key_id: 'k0', captured_at: '2026-12-07T10:00:00Z', captured_by: 1 }, meta: {} });
});

describe('check-session/save through the worker', () => {
  it('the popup asks, the worker saves the tab’s session and answers with the saved record and counts', async () => {
    const out = await send({ type: 'check-session/save', tabId: 9, origin: APP });
    expect(posted).toEqual([
      {
        origin: APP,
        cookies: [{ name: 'qsid', value: 'cookie-secret', domain: '127.0.0.1', path: '/', expires: null, http_only: true, secure: false, same_site: 'Lax' }],
        local_storage: [{ name: 'auth', value: 'storage-secret' }],
      },
    ]);
    expect(out).toEqual({
      session: { id: 4, origin: APP, cookie_count: 1, local_storage_count: 1, key_id: 'k0', captured_at: '2026-12-07T10:00:00Z', captured_by: 1 },
      leftOut: { cookies: 0, localStorage: 0 },
    });
    expect(JSON.stringify(local)).not.toMatch(/cookie-secret|storage-secret/);
  });

  it('a refusal reaches the popup as an Error with the clear words, and the error log keeps no value', async () => {
    serverAnswer = () => json(403, { error: { code: 'FORBIDDEN', message: 'Admins only' } });
    await expect(send({ type: 'check-session/save', tabId: 9, origin: APP })).rejects.toThrow('Only admins can save a session for checks.');
    const log = JSON.stringify(local.errors);
    expect(log).toContain('bg:check-session/save');
    expect(log).not.toMatch(/cookie-secret|storage-secret/);
  });

  it('a content script (a web page’s frame) cannot ask for it: no answer, nothing read or sent', async () => {
    const reply = await deliver({ type: 'check-session/save', tabId: 9, origin: APP }, { id: EXT_ID, url: `${APP}/accounts`, tab: { id: 9 }, frameId: 0 });
    expect(reply).toBeUndefined();
    expect(posted).toEqual([]);
  });
});
