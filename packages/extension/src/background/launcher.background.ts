// The guide launcher's side in the service worker (issue 15, item 6): whether the signed-in user's
// company has it on (GET /api/auth/me, company.launcher_enabled), which origins have published
// guides and which (GET /api/workflows?status=active, the company's whole list), and putting the
// content script on a page that gets a launcher. The page's content script never calls the API:
// it asks through launcher/guides and launcher/start.
//
// The company's list is fetched whole and split by origin here, instead of asking the server
// `?origin=` for every site the user opens: the server then never learns which sites a colleague
// visits, only that they browse. Both answers are kept in chrome.storage.session (the worker may
// stop at any time) for TTL_MS and fetched again when asked after that: on the next page load or
// when the launcher is opened.
import { logError } from '../shared/errors';
import type { LauncherGuide } from '../shared/launcher';
import type { Me, Workflow } from '../shared/types';
import { webUrl } from '../shared/urls';
import { call, getAuth } from './api.background';
import { contentScriptsRegistered } from './content-scripts.background';
import { activeRecording } from './recorder.background';
import { getRun } from './walkthrough.background';

export const TTL_MS = 60_000;
/** Pages of the company's list read at most (PAGE_SIZE each); a longer list is cut there. */
export const MAX_PAGES = 5;
export const PAGE_SIZE = 200;

const SETTING_KEY = 'launcherSetting';
const INDEX_KEY = 'launcherIndex';

interface Cached<T> {
  at: number;
  /** Whose answer it is (server and user): another sign-in never reads it. */
  who: string;
  value: T;
}

type GuideIndex = Record<string, LauncherGuide[]>;

async function cached<T>(key: string, who: string, now: number, fetchValue: () => Promise<T>, fallback: T): Promise<T> {
  const got = (await chrome.storage.session.get(key))[key] as Cached<T> | undefined;
  const mine = got && got.who === who ? got : null;
  if (mine && now - mine.at >= 0 && now - mine.at < TTL_MS) return mine.value;
  try {
    const value = await fetchValue();
    await chrome.storage.session.set({ [key]: { at: now, who, value } satisfies Cached<T> });
    return value;
  } catch (e) {
    // Offline or the server busy: the last answer stands until the server answers again.
    await logError('launcher', e);
    return mine ? mine.value : fallback;
  }
}

/** What the launcher keeps of a workflow; null for one the walkthrough could not open. */
export function launcherGuide(w: Workflow): LauncherGuide | null {
  if (w.status !== 'active' || !webUrl(w.starting_url)) return null;
  return { id: w.id, name: w.name, description: w.description ?? null, startingUrl: w.starting_url, stepCount: w.step_count };
}

/** The company's active guides, by origin of their starting URL (each origin's in the server's name order). */
export function indexGuides(workflows: readonly Workflow[]): GuideIndex {
  const out: GuideIndex = {};
  for (const w of workflows) {
    const g = launcherGuide(w);
    if (!g) continue;
    (out[new URL(g.startingUrl).origin] ??= []).push(g);
  }
  return out;
}

async function fetchIndex(): Promise<GuideIndex> {
  const all: Workflow[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await call<Workflow[]>('GET', '/api/workflows', { query: { status: 'active', sort: 'name', limit: PAGE_SIZE, offset: page * PAGE_SIZE } });
    all.push(...res.data);
    const total = (res.meta as { total?: number } | undefined)?.total ?? 0;
    if (res.data.length < PAGE_SIZE || all.length >= total) break;
  }
  return indexGuides(all);
}

/** Whether the signed-in user's company shows the launcher (off when signed out). */
export async function launcherEnabled(now = Date.now()): Promise<boolean> {
  const auth = await getAuth();
  if (!auth) return false;
  const who = `${auth.serverUrl}|${auth.user.id}`;
  return cached(SETTING_KEY, who, now, async () => (await call<Me>('GET', '/api/auth/me')).data.company?.launcher_enabled === true, false);
}

/** The published guides of `origin` (empty when none, or signed out). */
export async function guidesOf(origin: string, now = Date.now()): Promise<LauncherGuide[]> {
  const auth = await getAuth();
  if (!auth) return [];
  const index = await cached<GuideIndex>(INDEX_KEY, `${auth.serverUrl}|${auth.user.id}`, now, fetchIndex, {});
  return index[origin] ?? [];
}

/** A walkthrough or a recording runs in this tab: the launcher steps aside. */
async function busy(tabId: number): Promise<boolean> {
  const run = await getRun();
  if (run && run.tabId === tabId && !run.finished) return true;
  const rec = await activeRecording();
  return !!rec && rec.tabIds.includes(tabId);
}

function originOf(url: string | undefined): string | null {
  const web = webUrl(url);
  return web ? new URL(web).origin : null;
}

/**
 * The guides the launcher of the page in `tabId`'s top frame lists, or null when that page gets
 * no launcher (the company has it off, signed out, no guides for its origin, a walkthrough or
 * recording in the tab). The page's address is the browser's, never the content script's word.
 */
export async function launcherFor(tabId: number, frameId: number): Promise<LauncherGuide[] | null> {
  if (frameId !== 0) return null;
  const origin = originOf((await chrome.tabs.get(tabId)).url);
  if (!origin || (await busy(tabId)) || !(await launcherEnabled())) return null;
  const guides = await guidesOf(origin);
  return guides.length ? guides : null;
}

/**
 * The workflow to start from the launcher of `tabId`: only one of the guides its page's launcher
 * lists (a content script cannot start an arbitrary workflow). Throws when it is not one.
 */
export async function checkLaunch(tabId: number, frameId: number, workflowId: number): Promise<void> {
  const guides = await launcherFor(tabId, frameId);
  if (!guides?.some((g) => g.id === workflowId)) throw new Error('This guide is not offered on this page.');
}

/**
 * A page finished loading in a tab's top frame: when it gets a launcher, the content script is
 * put there (while no recording or walkthrough has it registered on every page already, it runs
 * only where it has work). Needs host access to the page, as everything the extension does there.
 */
export async function onPageLoaded(details: { tabId: number; frameId: number; url: string; documentId?: string }): Promise<void> {
  if (details.frameId !== 0) return;
  const origin = originOf(details.url);
  if (!origin || (await contentScriptsRegistered())) return;
  if (!(await chrome.permissions.contains({ origins: [`${origin}/*`] }))) return;
  if (!(await launcherFor(details.tabId, 0))) return;
  await chrome.scripting.executeScript({
    target: details.documentId ? { tabId: details.tabId, documentIds: [details.documentId] } : { tabId: details.tabId, frameIds: [0] },
    files: ['content.js'],
  });
}
