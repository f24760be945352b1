// Popup state (Zustand): a mirror of the service worker's state, refreshed while the popup is
// open, and the actions that ask the worker to do things. The popup holds no token.
import { create } from 'zustand';
import { send, type PopupState } from '../shared/messages';
import type { Workflow } from '../shared/types';
import { sitePattern } from '../shared/urls';

export interface PopupStore {
  state: PopupState | null;
  tabId: number | null;
  tabUrl: string | null;
  guides: Workflow[] | null;
  busy: string | null;
  error: string | null;
  refresh: () => Promise<void>;
  init: () => Promise<void>;
  run: (label: string, f: () => Promise<unknown>) => Promise<boolean>;
  loadGuides: () => Promise<void>;
}

/** The tab the popup acts on: `?tab=<id>` when opened as a page (tests), else the active tab. */
async function targetTab(): Promise<chrome.tabs.Tab | null> {
  const param = new URLSearchParams(location.search).get('tab');
  if (param && /^\d+$/.test(param)) return chrome.tabs.get(Number(param)).catch(() => null);
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return tab ?? null;
}

/**
 * The guide a share link asked for (`?start=<id>`): the worker opens the popup in the link's tab
 * when the extension needs the user's click to get access to websites first.
 */
export function linkedWorkflowId(search = location.search): number | null {
  const param = new URLSearchParams(search).get('start');
  return param && /^[1-9]\d{0,15}$/.test(param) ? Number(param) : null;
}

export const usePopup = create<PopupStore>((set, get) => ({
  state: null,
  tabId: null,
  tabUrl: null,
  guides: null,
  busy: null,
  error: null,
  refresh: async () => {
    try {
      set({ state: await send({ type: 'popup/state' }) });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    }
  },
  init: async () => {
    const tab = await targetTab();
    set({ tabId: tab?.id ?? null, tabUrl: tab?.url ?? null });
    await get().refresh();
    if (get().state?.auth) await get().loadGuides();
  },
  run: async (label, f) => {
    set({ busy: label, error: null });
    try {
      await f();
      await get().refresh();
      return true;
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
      return false;
    } finally {
      set({ busy: null });
    }
  },
  loadGuides: async () => {
    const { tabId } = get();
    if (tabId === null) return;
    try {
      set({ guides: await send({ type: 'guides/list', tabId }) });
    } catch (e) {
      set({ guides: [], error: e instanceof Error ? e.message : String(e) });
    }
  },
}));

/**
 * Host access for every site is asked for when the user starts something (a user gesture):
 * screenshots and following the workflow across pages and tabs need it. Resolves at once when
 * it was granted before.
 */
export async function requestHostAccess(): Promise<boolean> {
  try {
    return await chrome.permissions.request({ origins: ['<all_urls>'] });
  } catch {
    return false;
  }
}

/**
 * Host access to one site (every port of its host), asked for on the user's click: reading a
 * site's cookies and local storage needs it. Resolves at once when it was granted before (also
 * by the access to all sites that recording and guides ask for).
 */
export async function requestSiteAccess(origin: string): Promise<boolean> {
  try {
    return await chrome.permissions.request({ origins: [sitePattern(origin)] });
  } catch {
    return false;
  }
}
