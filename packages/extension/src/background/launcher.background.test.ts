import 'fake-indexeddb/auto';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Workflow } from '../shared/types';
import { checkLaunch, guidesOf, indexGuides, launcherEnabled, launcherFor, onPageLoaded, TTL_MS } from './launcher.background';

const SERVER = 'http://stepwise.test';
const APP = 'https://app.example.com';
const TAB = 7;

let local: Record<string, unknown> = {};
let session: Record<string, unknown> = {};
let tabUrl = `${APP}/billing`;
let registered = false;
let granted = true;
const injected: unknown[] = [];
let launcherOn = true;
let workflows: Workflow[] = [];
const requests: string[] = [];

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
  scripting: {
    getRegisteredContentScripts: async () => (registered ? [{ id: 'stepwise-content' }] : []),
    executeScript: async (opts: unknown) => void injected.push(opts),
  },
});

const fakeFetch = async (input: URL | string) => {
  const url = new URL(String(input));
  requests.push(`${url.pathname}${url.search}`);
  const json = (data: unknown, meta: unknown = {}) => new Response(JSON.stringify({ data, meta }), { status: 200, headers: { 'Content-Type': 'application/json' } });
  if (url.pathname === '/api/auth/me') return json({ id: 2, company: { id: 1, name: 'Acme', launcher_enabled: launcherOn } });
  if (url.pathname === '/api/workflows') {
    const limit = Number(url.searchParams.get('limit'));
    const offset = Number(url.searchParams.get('offset'));
    return json(workflows.slice(offset, offset + limit), { total: workflows.length, limit, offset });
  }
  return new Response('{}', { status: 404 });
};

vi.spyOn(console, 'warn').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

let nextId = 0;
function workflow(name: string, startingUrl: string, status: Workflow['status'] = 'active'): Workflow {
  nextId += 1;
  return {
    id: nextId,
    name,
    description: null,
    starting_url: startingUrl,
    tags: [],
    status,
    success_rate: 1,
    total_uses: 0,
    step_count: 3,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    created_by: 1,
    consecutive_failures: 0,
    last_successful_run: null,
    last_failed_run: null,
  };
}

function signIn(userId = 2) {
  local.auth = { serverUrl: SERVER, token: 'tok', user: { id: userId, email: 'bob@acme.test', name: 'Bob', role: 'regular' }, company: { id: 1, name: 'Acme' } };
}

beforeEach(() => {
  local = {};
  session = {};
  tabUrl = `${APP}/billing`;
  registered = false;
  granted = true;
  injected.length = 0;
  requests.length = 0;
  launcherOn = true;
  workflows = [workflow('Create an invoice', `${APP}/billing`), workflow('Invite a colleague', `${APP}/settings`), workflow('Elsewhere', 'https://other.example.com/')];
  signIn();
  vi.stubGlobal('fetch', fakeFetch);
});

describe('launcher (service worker)', () => {
  it('indexes active web guides by origin, keeping only what the page needs', () => {
    const idx = indexGuides([...workflows, workflow('Draft', `${APP}/x`, 'draft'), workflow('Script', 'javascript:alert(1)')]);
    expect(Object.keys(idx).sort()).toEqual([APP, 'https://other.example.com']);
    expect(idx[APP]!.map((g) => g.name)).toEqual(['Create an invoice', 'Invite a colleague']);
    expect(Object.keys(idx[APP]![0]!).sort()).toEqual(['description', 'id', 'name', 'startingUrl', 'stepCount']);
  });

  it('signed out: no launcher and no request', async () => {
    delete local.auth;
    expect(await launcherFor(TAB, 0)).toBeNull();
    expect(requests).toEqual([]);
  });

  it('the company has it off: no launcher, and the workflows are not asked for', async () => {
    launcherOn = false;
    expect(await launcherFor(TAB, 0)).toBeNull();
    expect(requests).toEqual(['/api/auth/me']);
  });

  it("on: the page's site's guides, from one request for the company's active list (no origin sent)", async () => {
    const got = await launcherFor(TAB, 0);
    expect(got?.map((g) => g.name)).toEqual(['Create an invoice', 'Invite a colleague']);
    expect(requests).toEqual(['/api/auth/me', '/api/workflows?status=active&sort=name&limit=200&offset=0']);
    expect(requests.some((r) => r.includes('origin='))).toBe(false);
  });

  it('a site without guides, a non-web page, a child frame: no launcher', async () => {
    tabUrl = 'https://nothing.example.com/';
    expect(await launcherFor(TAB, 0)).toBeNull();
    tabUrl = 'chrome://settings';
    expect(await launcherFor(TAB, 0)).toBeNull();
    tabUrl = `${APP}/billing`;
    expect(await launcherFor(TAB, 3)).toBeNull();
  });

  it('not while a walkthrough runs in the tab (another tab still gets it)', async () => {
    session.run = { runId: 'r', tabId: TAB, finished: null };
    expect(await launcherFor(TAB, 0)).toBeNull();
    expect(await launcherFor(TAB + 1, 0)).not.toBeNull();
  });

  it('caches both answers for TTL_MS, per user, then asks again', async () => {
    const t0 = 1_000_000;
    expect(await launcherEnabled(t0)).toBe(true);
    expect(await guidesOf(APP, t0)).toHaveLength(2);
    expect(await launcherEnabled(t0 + TTL_MS - 1)).toBe(true);
    expect(await guidesOf(APP, t0 + TTL_MS - 1)).toHaveLength(2);
    expect(requests).toHaveLength(2);
    workflows.push(workflow('Approve an expense', `${APP}/expenses`));
    expect(await guidesOf(APP, t0 + TTL_MS)).toHaveLength(3);
    expect(requests).toHaveLength(3);
    signIn(3); // someone else signs in on this browser
    expect(await guidesOf(APP, t0 + TTL_MS)).toHaveLength(3);
    expect(requests).toHaveLength(4);
  });

  it('reads the whole list page by page', async () => {
    workflows = Array.from({ length: 450 }, (_, i) => workflow(`Guide ${i}`, `${APP}/p${i}`));
    expect(await guidesOf(APP)).toHaveLength(450);
    expect(requests.filter((r) => r.startsWith('/api/workflows'))).toHaveLength(3);
  });

  it('offline: the last answer stands', async () => {
    const t0 = 2_000_000;
    expect(await guidesOf(APP, t0)).toHaveLength(2);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await guidesOf(APP, t0 + TTL_MS + 1)).toHaveLength(2);
    expect(await launcherEnabled(t0 + TTL_MS + 1)).toBe(false); // never answered before
  });
});

describe('launcher start and injection', () => {
  it('starts only a guide that this page lists', async () => {
    await expect(checkLaunch(TAB, 0, workflows[1]!.id)).resolves.toBeUndefined();
    await expect(checkLaunch(TAB, 0, workflows[2]!.id)).rejects.toThrow('not offered on this page');
    await expect(checkLaunch(TAB, 2, workflows[0]!.id)).rejects.toThrow();
  });

  it('puts the content script on a loaded page that gets a launcher, and nowhere else', async () => {
    await onPageLoaded({ tabId: TAB, frameId: 0, url: `${APP}/billing`, documentId: 'doc-1' });
    expect(injected).toEqual([{ target: { tabId: TAB, documentIds: ['doc-1'] }, files: ['content.js'] }]);
    injected.length = 0;
    await onPageLoaded({ tabId: TAB, frameId: 4, url: `${APP}/billing` });
    tabUrl = 'https://nothing.example.com/';
    await onPageLoaded({ tabId: TAB, frameId: 0, url: tabUrl });
    expect(injected).toEqual([]);
  });

  it('not when the script already runs on every page, nor without host access', async () => {
    registered = true;
    await onPageLoaded({ tabId: TAB, frameId: 0, url: `${APP}/billing` });
    registered = false;
    granted = false;
    await onPageLoaded({ tabId: TAB, frameId: 0, url: `${APP}/billing` });
    expect(injected).toEqual([]);
  });
});
