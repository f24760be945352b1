import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckSessionInput } from '../shared/types';
import { cookieDomainMatches, LIMITS, mapCookies, readLocalStorage, saveCheckSession, toCheckCookie } from './check-session.background';

const SERVER = 'http://stepwise.test';
const APP = 'https://app.example.com';
const TAB = 7;

function cookie(over: Partial<chrome.cookies.Cookie> = {}): chrome.cookies.Cookie {
  return {
    name: 'sid',
    value: 's3cr3t-session',
    domain: 'app.example.com',
    hostOnly: true,
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'lax',
    session: true,
    storeId: '0',
    ...over,
  };
}

/** A page's local storage as `window.localStorage` shows it. */
function fakeStorage(entries: [string, string][]): Storage {
  const map = new Map(entries);
  return {
    get length() {
      return map.size;
    },
    key: (i: number) => [...map.keys()][i] ?? null,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    clear: () => map.clear(),
  };
}

// ---- the chrome APIs and the server, as the worker sees them

let local: Record<string, unknown> = {};
let session: Record<string, unknown> = {};
let tabUrl = `${APP}/accounts`;
let granted = true;
let jar: chrome.cookies.Cookie[] = [];
let page: { origin: string; storage: Storage } = { origin: APP, storage: fakeStorage([]) };
const asked: { cookies: unknown[]; scripts: unknown[] } = { cookies: [], scripts: [] };
let answer: (body: CheckSessionInput) => Response = () => new Response('{}', { status: 500 });
const posted: { url: string; method: string; auth: string | undefined; body: CheckSessionInput }[] = [];

const store = (obj: () => Record<string, unknown>) => ({
  get: async (key: string | string[]) => Object.fromEntries((Array.isArray(key) ? key : [key]).filter((k) => k in obj()).map((k) => [k, obj()[k]])),
  set: async (items: Record<string, unknown>) => void Object.assign(obj(), structuredClone(items)),
  remove: async (key: string | string[]) => {
    for (const k of Array.isArray(key) ? key : [key]) delete obj()[k];
  },
});

vi.stubGlobal('chrome', {
  storage: { local: store(() => local), session: store(() => session) },
  tabs: { get: async (id: number) => ({ id, url: tabUrl }) },
  permissions: { contains: async () => granted },
  cookies: {
    getAll: async (details: unknown) => {
      asked.cookies.push(details);
      return jar;
    },
  },
  scripting: {
    // Runs the injected function against the tab's page, as Chrome does in its top frame.
    executeScript: async (opts: { target: unknown; func: (...a: unknown[]) => unknown; args: unknown[] }) => {
      asked.scripts.push({ target: opts.target, args: opts.args });
      vi.stubGlobal('window', { localStorage: page.storage });
      vi.stubGlobal('location', { origin: page.origin });
      try {
        return [{ frameId: 0, result: opts.func(...opts.args) }];
      } finally {
        vi.stubGlobal('window', undefined);
        vi.stubGlobal('location', undefined);
      }
    },
  },
});
vi.stubGlobal('fetch', async (input: URL | string, init?: RequestInit) => {
  const body = JSON.parse(String(init?.body)) as CheckSessionInput;
  posted.push({ url: String(input), method: init?.method ?? 'GET', auth: (init?.headers as Record<string, string>).Authorization, body });
  return answer(body);
});
const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const saved = (body: CheckSessionInput) =>
  json(201, {
    data: { id: 3, origin: body.origin, cookie_count: body.cookies.length, local_storage_count: body.local_storage.length, key_id: 'k0', captured_at: '2026-12-07T10:00:00Z', captured_by: 1 },
    meta: {},
  });

function signIn(role: 'admin' | 'regular' = 'admin') {
  local.auth = { serverUrl: SERVER, token: 'tok', user: { id: 1, email: 'ada@acme.test', name: 'Ada', role }, company: { id: 1, name: 'Acme' } };
}

beforeEach(() => {
  local = {};
  session = {};
  tabUrl = `${APP}/accounts`;
  granted = true;
  jar = [];
  page = { origin: APP, storage: fakeStorage([]) };
  asked.cookies = [];
  asked.scripts = [];
  posted.length = 0;
  answer = saved;
  warn.mockClear();
  signIn();
});

// ---- the mapping

describe('cookieDomainMatches (what the server accepts)', () => {
  it.each([
    ['app.example.com', 'app.example.com', true],
    ['.app.example.com', 'app.example.com', true],
    ['example.com', 'app.example.com', true],
    ['.example.com', 'app.example.com', true],
    ['APP.Example.com', 'app.example.com', true],
    ['other.example.com', 'app.example.com', false],
    ['ample.com', 'app.example.com', false],
    ['.com', 'app.example.com', false],
    ['sub.app.example.com', 'app.example.com', false],
    ['evil.test', 'app.example.com', false],
    ['127.0.0.1', '127.0.0.1', true],
    ['0.0.1', '127.0.0.1', false],
    ['.', 'app.example.com', false],
  ])('%s for %s: %s', (domain, host, ok) => {
    expect(cookieDomainMatches(domain, host)).toBe(ok);
  });
});

describe('toCheckCookie', () => {
  const host = 'app.example.com';

  it('maps same_site: strict, lax, no_restriction → Strict, Lax, None; unspecified is left out', () => {
    expect(toCheckCookie(cookie({ sameSite: 'strict' }), host)?.same_site).toBe('Strict');
    expect(toCheckCookie(cookie({ sameSite: 'lax' }), host)?.same_site).toBe('Lax');
    expect(toCheckCookie(cookie({ sameSite: 'no_restriction' }), host)?.same_site).toBe('None');
    const unspecified = toCheckCookie(cookie({ sameSite: 'unspecified' }), host)!;
    expect('same_site' in unspecified).toBe(false);
  });

  it('expires: the expiration date in seconds, null for a session cookie', () => {
    expect(toCheckCookie(cookie({ session: true, expirationDate: undefined }), host)?.expires).toBeNull();
    expect(toCheckCookie(cookie({ session: false, expirationDate: 1_893_456_000.5 }), host)?.expires).toBe(1_893_456_000.5);
  });

  it('is the contract’s shape, the domain as the browser keeps it', () => {
    expect(toCheckCookie(cookie({ domain: '.example.com', hostOnly: false, path: '/app', httpOnly: false, secure: false, session: false, expirationDate: 2e9, sameSite: 'strict' }), host)).toEqual({
      name: 'sid',
      value: 's3cr3t-session',
      domain: '.example.com',
      path: '/app',
      expires: 2e9,
      http_only: false,
      secure: false,
      same_site: 'Strict',
    });
  });

  it('leaves out a cookie of another domain, and one over the contract’s limits', () => {
    expect(toCheckCookie(cookie({ domain: 'tracker.test' }), host)).toBeNull();
    expect(toCheckCookie(cookie({ domain: '.other.example.com' }), host)).toBeNull();
    expect(toCheckCookie(cookie({ name: '' }), host)).toBeNull();
    expect(toCheckCookie(cookie({ name: 'n'.repeat(LIMITS.cookieName + 1) }), host)).toBeNull();
    expect(toCheckCookie(cookie({ name: 'n'.repeat(LIMITS.cookieName) }), host)).not.toBeNull();
    expect(toCheckCookie(cookie({ value: 'v'.repeat(LIMITS.cookieValue + 1) }), host)).toBeNull();
    expect(toCheckCookie(cookie({ value: 'v'.repeat(LIMITS.cookieValue) }), host)).not.toBeNull();
    expect(toCheckCookie(cookie({ path: `/${'p'.repeat(LIMITS.cookiePath)}` }), host)).toBeNull();
    expect(toCheckCookie(cookie({ session: false, expirationDate: LIMITS.expiresMax + 1 }), host)).toBeNull();
  });
});

describe('mapCookies', () => {
  it('keeps at most the contract’s 300 and counts what it left out', () => {
    const many = Array.from({ length: 305 }, (_, i) => cookie({ name: `c${i}` }));
    const out = mapCookies([cookie({ domain: 'tracker.test' }), ...many], APP);
    expect(out.cookies).toHaveLength(LIMITS.cookies);
    expect(out.cookies[0]!.name).toBe('c0');
    expect(out.leftOut).toBe(6);
  });
});

describe('readLocalStorage (run in the page)', () => {
  it('reads every item within the limits and counts the rest, without copying a value over the limit', () => {
    vi.stubGlobal('window', {
      localStorage: fakeStorage([
        ['token', 'abc'],
        ['big', 'x'.repeat(LIMITS.storageValue + 1)],
        ['edge', 'y'.repeat(LIMITS.storageValue)],
        ['k'.repeat(LIMITS.storageName + 1), 'long name'],
        ['a', '1'],
        ['b', '2'],
      ]),
    });
    vi.stubGlobal('location', { origin: APP });
    const read = readLocalStorage(3, LIMITS.storageName, LIMITS.storageValue);
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('location', undefined);
    expect(read.origin).toBe(APP);
    expect(read.items.map((i) => i.name)).toEqual(['token', 'edge', 'a']);
    expect(read.leftOut).toBe(3);
  });

  it('a page whose storage is blocked has nothing to read', () => {
    vi.stubGlobal('window', {
      get localStorage(): Storage {
        throw new Error('SecurityError');
      },
    });
    vi.stubGlobal('location', { origin: APP });
    expect(readLocalStorage(500, 1024, 65_536)).toEqual({ origin: APP, items: [], leftOut: 0 });
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('location', undefined);
  });
});

// ---- the save

describe('saveCheckSession', () => {
  it('reads the origin’s cookies and the top frame’s local storage, posts them, and answers with counts', async () => {
    jar = [
      cookie(),
      cookie({ name: 'prefs', value: 'compact', httpOnly: false, sameSite: 'strict', session: false, expirationDate: 1_900_000_000 }),
      cookie({ name: 'ad', domain: '.ads.test' }),
    ];
    page.storage = fakeStorage([
      ['auth', '{"token":"t0k3n"}'],
      ['cache', 'z'.repeat(LIMITS.storageValue + 1)],
    ]);
    const out = await saveCheckSession(TAB, APP);

    expect(asked.cookies).toEqual([{ url: APP }]);
    expect(asked.scripts).toEqual([{ target: { tabId: TAB, frameIds: [0] }, args: [500, 1024, 65_536] }]);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ url: `${SERVER}/api/check-sessions`, method: 'POST', auth: 'Bearer tok' });
    expect(posted[0]!.body).toEqual({
      origin: APP,
      cookies: [
        { name: 'sid', value: 's3cr3t-session', domain: 'app.example.com', path: '/', expires: null, http_only: true, secure: true, same_site: 'Lax' },
        { name: 'prefs', value: 'compact', domain: 'app.example.com', path: '/', expires: 1_900_000_000, http_only: false, secure: true, same_site: 'Strict' },
      ],
      local_storage: [{ name: 'auth', value: '{"token":"t0k3n"}' }],
    });
    expect(out).toEqual({
      session: { id: 3, origin: APP, cookie_count: 2, local_storage_count: 1, key_id: 'k0', captured_at: '2026-12-07T10:00:00Z', captured_by: 1 },
      leftOut: { cookies: 1, localStorage: 1 },
    });
    // Nothing of the session is kept in extension storage.
    const kept = JSON.stringify({ local, session });
    for (const secret of ['s3cr3t-session', 't0k3n', 'compact']) expect(kept).not.toContain(secret);
  });

  it('not an admin: reads nothing and says so', async () => {
    signIn('regular');
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow('Only admins can save a session for checks.');
    expect(asked.cookies).toEqual([]);
    expect(asked.scripts).toEqual([]);
    expect(posted).toEqual([]);
  });

  it('signed out: says to sign in', async () => {
    delete local.auth;
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow(/Sign in/);
    expect(posted).toEqual([]);
  });

  it('the server says 403 (no longer an admin): the same clear words', async () => {
    answer = () => json(403, { error: { code: 'FORBIDDEN', message: 'Admins only' } });
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow('Only admins can save a session for checks.');
  });

  it('the server cannot be reached: says nothing was saved', async () => {
    answer = () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow(`Cannot reach the Stepwise server: the session for ${APP} was not saved.`);
  });

  it('a validation error: the server’s words, never a value of the session', async () => {
    jar = [cookie()];
    answer = () => json(422, { error: { code: 'VALIDATION_ERROR', message: 'cookies[0].domain does not match the origin' } });
    const err = await saveCheckSession(TAB, APP).catch((e: Error) => e);
    expect((err as Error).message).toBe(`The session for ${APP} was not saved: cookies[0].domain does not match the origin`);
    expect((err as Error).message).not.toContain('s3cr3t');
  });

  it('a tab on another origin than the popup showed, or not a web page: saves nothing', async () => {
    tabUrl = 'https://elsewhere.test/';
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow(/now on https:\/\/elsewhere\.test/);
    tabUrl = 'chrome://settings/';
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow(/http\(s\) page/);
    // The page changed under the injected script.
    tabUrl = `${APP}/accounts`;
    page.origin = 'https://login.example.com';
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow(/now on https:\/\/login\.example\.com/);
    expect(posted).toEqual([]);
  });

  it('without access to the site: asks for it, reads nothing', async () => {
    granted = false;
    await expect(saveCheckSession(TAB, APP)).rejects.toThrow(/needs access to https:\/\/app\.example\.com/);
    expect(asked.cookies).toEqual([]);
    expect(posted).toEqual([]);
  });
});
