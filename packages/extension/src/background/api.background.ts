// The service worker's HTTP client. The token lives in chrome.storage.local (extension storage:
// no web page and no content script ever receives it) and is sent only to the configured server.
import { isRetryableStatus } from '../shared/backoff';
import type { SignedIn } from '../shared/messages';

export const DEFAULT_SERVER_URL = 'http://localhost:8000';
const AUTH_KEY = 'auth';
const SERVER_KEY = 'serverUrl';

interface StoredAuth extends SignedIn {
  token: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** Worth trying again later (offline, overloaded, rate limited, server error). */
  get retryable(): boolean {
    return isRetryableStatus(this.status);
  }
}

export function normalizeServerUrl(raw: string): string {
  const url = new URL(raw.trim());
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The server URL must start with http:// or https://');
  return url.origin;
}

export async function getServerUrl(): Promise<string> {
  const got = await chrome.storage.local.get([SERVER_KEY]);
  return (got[SERVER_KEY] as string | undefined) ?? DEFAULT_SERVER_URL;
}

export async function getAuth(): Promise<StoredAuth | null> {
  const got = await chrome.storage.local.get([AUTH_KEY]);
  return (got[AUTH_KEY] as StoredAuth | undefined) ?? null;
}

export async function publicAuth(): Promise<SignedIn | null> {
  const auth = await getAuth();
  if (!auth) return null;
  const { token: _token, ...rest } = auth;
  return rest;
}

export interface CallOptions {
  body?: unknown;
  /** A body already serialized as JSON, sent byte for byte (a retry under an Idempotency-Key). */
  json?: string;
  form?: FormData;
  /** Sent as Idempotency-Key: the server answers a repeat of this request with its first answer. */
  idempotencyKey?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Use this server and token instead of the stored ones (sign-in). */
  base?: string;
  token?: string | null;
  signal?: AbortSignal;
}

/** One request; unwraps `{data, meta}`; turns `{error}` and network failures into ApiError. */
export async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<{ data: T; meta: unknown; status: number }> {
  const auth = opts.base ? null : await getAuth();
  const base = opts.base ?? auth?.serverUrl ?? (await getServerUrl());
  const token = opts.token !== undefined ? opts.token : auth?.token ?? null;
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = opts.json;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: opts.signal ?? AbortSignal.timeout(30_000), credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(`Cannot reach ${url.origin} (${e instanceof Error ? e.message : String(e)})`, 0, 'NETWORK');
  }
  if (res.status === 204) return { data: null as T, meta: {}, status: 204 };
  type Body = { data?: T; meta?: unknown; error?: { code?: string; message?: string } };
  let json: Body | null = null;
  try {
    json = (await res.json()) as Body;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = json?.error;
    if (res.status === 401 && token && !opts.base) await signOutLocally();
    throw new ApiError(err?.message ?? `${method} ${url.pathname} answered ${res.status}`, res.status, err?.code ?? `HTTP_${res.status}`);
  }
  return { data: json?.data as T, meta: json?.meta, status: res.status };
}

type LoginData = { token: string; user: SignedIn['user'] };

export async function signIn(serverUrl: string, email: string, password: string): Promise<SignedIn> {
  const base = normalizeServerUrl(serverUrl);
  // The password goes to the server in this one request and is kept nowhere.
  const login = await call<LoginData>('POST', '/api/auth/login', { base, token: null, body: { email, password } });
  return keepSignIn(base, login.data);
}

/** Exchanges a one-time code made by the dashboard of `serverUrl` for a token of our own. */
export async function signInWithCode(serverUrl: string, code: string): Promise<SignedIn> {
  const base = normalizeServerUrl(serverUrl);
  const login = await call<LoginData>('POST', '/api/auth/connect', { base, token: null, body: { code } });
  return keepSignIn(base, login.data);
}

/** Keeps a new token with who it belongs to (and their company), as every sign-in does. */
async function keepSignIn(base: string, login: LoginData): Promise<SignedIn> {
  const me = await call<{ company?: { id: number; name: string } }>('GET', '/api/auth/me', { base, token: login.token });
  const signedIn: SignedIn = {
    serverUrl: base,
    user: { id: login.user.id, email: login.user.email, name: login.user.name, role: login.user.role },
    company: me.data.company ?? null,
  };
  await chrome.storage.local.set({ [AUTH_KEY]: { ...signedIn, token: login.token } satisfies StoredAuth, [SERVER_KEY]: base });
  return signedIn;
}

export async function signOutLocally(): Promise<void> {
  await chrome.storage.local.remove(AUTH_KEY);
}
