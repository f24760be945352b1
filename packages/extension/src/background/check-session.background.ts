// "Save a session for checks": an admin's signed-in session for one origin (its cookies and its
// local storage), sent to the server once, where scheduled checks use it to sign in
// (docs/checker.md). Nothing of the session is kept here or logged: it lives in this worker's
// memory for the one request, and errors name counts and the origin, never a value.
import type { CheckSessionSaved } from '../shared/messages';
import type { CheckCookie, CheckSession, CheckSessionInput, CheckStorageItem } from '../shared/types';
import { sitePattern, webOrigin } from '../shared/urls';
import { ApiError, call, publicAuth } from './api.background';

/** The contract's limits (CheckSessionInput, CheckCookie, CheckStorageItem). */
export const LIMITS = {
  cookies: 300,
  cookieName: 256,
  cookieValue: 8192,
  cookieDomain: 253,
  cookiePath: 1024,
  expiresMax: 100_000_000_000,
  storageItems: 500,
  storageName: 1024,
  storageValue: 65_536,
} as const;

const SAME_SITE: Record<string, CheckCookie['same_site']> = { strict: 'Strict', lax: 'Lax', no_restriction: 'None' };

const isIp = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');

/**
 * Whether a cookie of `domain` belongs to `host`, as the server accepts it: the host itself or a
 * parent domain of it, with or without the leading dot. An address has no parent domain.
 */
export function cookieDomainMatches(domain: string, host: string): boolean {
  const d = domain.toLowerCase().replace(/^\./, '');
  const h = host.toLowerCase();
  if (!d) return false;
  if (d === h) return true;
  return !isIp(h) && d.includes('.') && h.endsWith(`.${d}`);
}

/** One browser cookie in the contract's shape, or null when the server would not take it. */
export function toCheckCookie(c: chrome.cookies.Cookie, host: string): CheckCookie | null {
  if (!c.name || c.name.length > LIMITS.cookieName || c.value.length > LIMITS.cookieValue) return null;
  if (!c.domain || c.domain.length > LIMITS.cookieDomain || !cookieDomainMatches(c.domain, host)) return null;
  const path = c.path || '/';
  if (path.length > LIMITS.cookiePath) return null;
  const expires = c.session || c.expirationDate === undefined ? null : c.expirationDate;
  if (expires !== null && (expires < -1 || expires > LIMITS.expiresMax)) return null;
  const cookie: CheckCookie = { name: c.name, value: c.value, domain: c.domain, path, expires, http_only: c.httpOnly, secure: c.secure };
  const sameSite = SAME_SITE[c.sameSite];
  if (sameSite) cookie.same_site = sameSite;
  return cookie;
}

/** The cookies the server takes for `origin` (at most the contract's number) and how many were left out. */
export function mapCookies(cookies: chrome.cookies.Cookie[], origin: string): { cookies: CheckCookie[]; leftOut: number } {
  const host = new URL(origin).hostname;
  const kept: CheckCookie[] = [];
  for (const c of cookies) {
    const mapped = toCheckCookie(c, host);
    if (mapped && kept.length < LIMITS.cookies) kept.push(mapped);
  }
  return { cookies: kept, leftOut: cookies.length - kept.length };
}

export interface StorageRead {
  origin: string;
  items: CheckStorageItem[];
  leftOut: number;
}

/**
 * Runs in the tab's top frame (chrome.scripting: serialized, so it uses nothing from outside but
 * its arguments): the page's local storage within the limits, and the origin it belongs to. A value
 * over the limit is not copied out of the page at all.
 */
export function readLocalStorage(maxItems: number, maxName: number, maxValue: number): StorageRead {
  const items: { name: string; value: string }[] = [];
  let leftOut = 0;
  let storage: Storage | null = null;
  try {
    storage = window.localStorage;
  } catch {
    storage = null; // storage blocked for this page: nothing to read
  }
  const count = storage?.length ?? 0;
  for (let i = 0; i < count; i++) {
    const name = storage!.key(i);
    const value = name === null ? null : storage!.getItem(name);
    if (name === null || value === null || !name || name.length > maxName || value.length > maxValue || items.length >= maxItems) leftOut += 1;
    else items.push({ name, value });
  }
  return { origin: location.origin, items, leftOut };
}

/** A failed save in words for the popup (the server's message where it has one that says more). */
function saveError(e: unknown, origin: string): Error {
  if (!(e instanceof ApiError)) return e instanceof Error ? e : new Error(String(e));
  if (e.status === 0) return new Error(`Cannot reach the Stepwise server: the session for ${origin} was not saved. Check your connection and try again.`);
  if (e.status === 403) return new Error('Only admins can save a session for checks.');
  if (e.status === 401) return new Error('Your Stepwise sign-in has expired: sign in again, then save the session.');
  if (e.status === 404) return new Error('This Stepwise server cannot keep sessions for checks yet (it is older than the extension).');
  if (e.status === 413) return new Error(`The session for ${origin} is too large for the server (${e.message}).`);
  return new Error(`The session for ${origin} was not saved: ${e.message}`);
}

/**
 * Reads the session of the tab's top-frame origin and saves it on the server. `origin` is the one
 * the popup showed (and asked host access for): a tab that has moved on saves nothing.
 */
export async function saveCheckSession(tabId: number, origin: string): Promise<CheckSessionSaved> {
  const auth = await publicAuth();
  if (!auth) throw new Error('Sign in to Stepwise first.');
  if (auth.user.role !== 'admin') throw new Error('Only admins can save a session for checks.');
  const tab = await chrome.tabs.get(tabId);
  const tabOrigin = webOrigin(tab.url);
  if (!tabOrigin) throw new Error('Open the web app in this tab: only an http(s) page has a session to save.');
  if (tabOrigin !== origin) throw new Error(`The tab is now on ${tabOrigin}, not ${origin}: open the popup again.`);
  if (!(await chrome.permissions.contains({ origins: [sitePattern(origin)] }))) {
    throw new Error(`Stepwise needs access to ${origin} to read its session: allow it when your browser asks.`);
  }

  const [frame] = await chrome.scripting.executeScript({
    target: { tabId, frameIds: [0] },
    func: readLocalStorage,
    args: [LIMITS.storageItems, LIMITS.storageName, LIMITS.storageValue],
  });
  const storage = frame?.result as StorageRead | undefined;
  if (!storage) throw new Error(`Could not read the local storage of ${origin}.`);
  if (storage.origin !== origin) throw new Error(`The tab is now on ${storage.origin}, not ${origin}: open the popup again.`);
  const jar = mapCookies(await chrome.cookies.getAll({ url: origin }), origin);

  const body: CheckSessionInput = { origin, cookies: jar.cookies, local_storage: storage.items };
  let session: CheckSession;
  try {
    ({ data: session } = await call<CheckSession>('POST', '/api/check-sessions', { body }));
  } catch (e) {
    throw saveError(e, origin);
  }
  return { session, leftOut: { cookies: jar.leftOut, localStorage: storage.leftOut } };
}
