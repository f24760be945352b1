// Which server the extension signs in to. In order: the organisation's policy
// (chrome.storage.managed `server_url`, from managed_schema.json; it also locks the choice), the
// server last signed in to, the server the extension was downloaded from (`server.json`, which
// GET /api/extension.zip adds; absent in a development build), and localhost.
import { logError } from '../shared/errors';
import { DEFAULT_SERVER_URL, normalizeServerUrl } from './api.background';

const SERVER_KEY = 'serverUrl';

export interface Managed {
  serverUrl: string | null;
  companyHint: string | null;
}

export interface ServerConfig {
  serverUrl: string;
  /** Set by the organisation: the popup shows it read-only and no other server is signed in to. */
  locked: boolean;
  companyHint: string | null;
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);

function originOrNull(v: unknown): string | null {
  const s = text(v, 2048);
  if (!s) return null;
  try {
    return normalizeServerUrl(s);
  } catch {
    return null;
  }
}

/** The organisation's policy; empty where there is none (or the browser keeps no managed storage). */
export async function managedConfig(): Promise<Managed> {
  let got: Record<string, unknown> = {};
  try {
    got = (await chrome.storage.managed.get(['server_url', 'company_hint'])) ?? {};
  } catch (e) {
    await logError('managed', e);
  }
  const serverUrl = originOrNull(got.server_url);
  if (got.server_url !== undefined && !serverUrl) await logError('managed', `The policy's server_url is not an http(s) address: ${String(got.server_url).slice(0, 200)}`);
  return { serverUrl, companyHint: text(got.company_hint, 200) };
}

/** `server.json` packed with the extension by the server it was downloaded from; null when absent. */
export async function packagedServerUrl(): Promise<string | null> {
  try {
    const res = await fetch(chrome.runtime.getURL('server.json'), { cache: 'no-store' });
    if (!res.ok) return null;
    return originOrNull(((await res.json()) as { server_url?: unknown } | null)?.server_url);
  } catch {
    return null; // a development build has no server.json
  }
}

export async function serverConfig(): Promise<ServerConfig> {
  const managed = await managedConfig();
  if (managed.serverUrl) return { serverUrl: managed.serverUrl, locked: true, companyHint: managed.companyHint };
  const got = await chrome.storage.local.get([SERVER_KEY]);
  const stored = originOrNull(got[SERVER_KEY]);
  return { serverUrl: stored ?? (await packagedServerUrl()) ?? DEFAULT_SERVER_URL, locked: false, companyHint: managed.companyHint };
}

/** Refuses a server other than the one the organisation set (the popup's field is only a view). */
export async function assertServerAllowed(serverUrl: string): Promise<string> {
  const base = normalizeServerUrl(serverUrl);
  const { serverUrl: fixed } = await managedConfig();
  if (fixed && fixed !== base) throw new ManagedServerError(fixed);
  return base;
}

export class ManagedServerError extends Error {
  constructor(readonly serverUrl: string) {
    super(`Your organisation set this extension to sign in to ${serverUrl} only.`);
    this.name = 'ManagedServerError';
  }
}
