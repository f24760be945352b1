// The one way the dashboard talks to the server: a small fetch wrapper typed by the generated
// OpenAPI `paths`. It unwraps the `{data, meta}` envelope, turns `{error: {...}}` into an
// ApiError, and runs the one interceptor (errors → toasts, a refused token → sign in again).
import type { paths } from '@stepwise/api-types';
import { ApiError } from './api-error';
import { useAuthStore } from '../stores/auth-store';
import { toast } from '../stores/toast-store';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

type OperationOf<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The paths that have an operation for `M`. */
export type PathsFor<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessBody<O> = O extends { responses: infer R }
  ? { [K in keyof R]: K extends 200 | 201 | 202 ? JsonContent<R[K]> : never }[keyof R]
  : never;
type HasNoContent<O> = O extends { responses: { 204: unknown } } ? true : false;

export type DataOf<O> = HasNoContent<O> extends true ? void : SuccessBody<O> extends { data: infer D } ? D : never;
export type MetaOf<O> = SuccessBody<O> extends { meta: infer M } ? M : never;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type PathParamsOf<O> = O extends { parameters: { path: infer P } } ? P : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type IfNever<T, Yes, No> = [T] extends [never] ? Yes : No;

export interface CommonOptions {
  /** The caller shows the error itself (e.g. next to a field): no toast. */
  silent?: boolean;
  signal?: AbortSignal;
  /** Extra request headers, e.g. `If-Match` with the ETag a change is based on. */
  headers?: Record<string, string>;
}

export type RequestOptions<O> = CommonOptions &
  IfNever<PathParamsOf<O>, { path?: undefined }, { path: PathParamsOf<O> }> &
  IfNever<BodyOf<O>, { body?: undefined }, { body: BodyOf<O> }> &
  IfNever<QueryOf<O>, { query?: undefined }, { query?: QueryOf<O> }>;

export interface ApiResult<D, M> {
  data: D;
  meta: M;
  requestId: string | null;
  /** The response's `ETag` (the version of a workflow), when it sent one. */
  etag: string | null;
}

/** Optional arguments become optional at the call site when nothing is required. */
type OptionsArg<O> = IfNever<PathParamsOf<O>, IfNever<BodyOf<O>, [options?: RequestOptions<O>], [options: RequestOptions<O>]>, [options: RequestOptions<O>]>;

interface ClientConfig {
  baseUrl: string;
  fetch: typeof fetch;
}

const config: ClientConfig = {
  baseUrl: '',
  fetch: (...args) => globalThis.fetch(...args),
};

/** Tests swap in a fake fetch (and a base URL for node). */
export function configureApiClient(patch: Partial<ClientConfig>): void {
  Object.assign(config, patch);
}

export function buildUrl(template: string, pathParams?: Record<string, unknown>, query?: Record<string, unknown>): string {
  let url = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = pathParams?.[name];
    if (value === undefined || value === null) throw new Error(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
  if (query) {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((item) => search.append(k, String(item)));
      else search.append(k, String(v));
    }
    const s = search.toString();
    if (s) url += `?${s}`;
  }
  return config.baseUrl + url;
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value.trim());
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return null;
}

async function toError(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('X-Request-Id');
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (err && typeof err.code === 'string' && typeof err.message === 'string') {
    return new ApiError({
      status: response.status,
      code: err.code as ApiError['code'],
      message: err.message,
      details: typeof err.details === 'object' && err.details !== null ? (err.details as Record<string, unknown>) : {},
      requestId,
      retryAfter,
    });
  }
  return new ApiError({
    status: response.status,
    code: response.status === 429 ? 'RATE_LIMITED' : 'BAD_RESPONSE',
    message: `The server answered ${response.status} ${response.statusText}`.trim() + '.',
    requestId,
    retryAfter,
  });
}

/**
 * The interceptor: every failure passes here once. A 401 on a request that carried a token means
 * the session is over (expired, or the user was removed): forget it and send the person to sign in
 * with a message. Anything else becomes an error toast, unless the caller shows it in place.
 */
export function handleApiError(error: ApiError, ctx: { authenticated: boolean; silent: boolean }): void {
  if (error.status === 401 && ctx.authenticated) {
    useAuthStore.getState().expireSession();
    return;
  }
  if (ctx.silent) return;
  toast.error(
    error.requestId
      ? { title: titleFor(error), message: error.userMessage, requestId: error.requestId }
      : { title: titleFor(error), message: error.userMessage },
  );
}

function titleFor(error: ApiError): string {
  switch (error.code) {
    case 'NETWORK_ERROR':
      return 'Cannot reach the server';
    case 'FORBIDDEN':
      return 'Not allowed';
    case 'RATE_LIMITED':
      return 'Slow down';
    case 'VALIDATION_ERROR':
      return 'Please check the form';
    case 'LAST_ADMIN':
      return 'A company needs an admin';
    default:
      return error.status >= 500 ? 'Something went wrong' : 'Request failed';
  }
}

export async function request<P extends PathsFor<M>, M extends Method>(
  method: M,
  path: P,
  options: RequestOptions<OperationOf<P, M>> = {} as RequestOptions<OperationOf<P, M>>,
): Promise<ApiResult<DataOf<OperationOf<P, M>>, MetaOf<OperationOf<P, M>>>> {
  const opts = options as CommonOptions & { path?: Record<string, unknown>; body?: unknown; query?: Record<string, unknown> };
  const response = await send(method, path, opts);
  const requestId = response.headers.get('X-Request-Id');
  const etag = response.headers.get('ETag');
  if (response.status === 204) {
    return { data: undefined, meta: {}, requestId, etag } as unknown as ApiResult<DataOf<OperationOf<P, M>>, MetaOf<OperationOf<P, M>>>;
  }
  const ctx = { authenticated: useAuthStore.getState().token !== null, silent: opts.silent === true };
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    const error = new ApiError({ status: response.status, code: 'BAD_RESPONSE', message: 'The server sent an answer the dashboard cannot read.', requestId });
    handleApiError(error, ctx);
    throw error;
  }
  const envelope = body as { data?: unknown; meta?: unknown };
  return { data: envelope.data, meta: envelope.meta ?? {}, requestId, etag } as ApiResult<DataOf<OperationOf<P, M>>, MetaOf<OperationOf<P, M>>>;
}

type SendOptions = CommonOptions & { path?: Record<string, unknown>; body?: unknown; query?: Record<string, unknown> };

/**
 * Sends one request with the token and answers the successful `Response` as it came (any content
 * type); a failure becomes an ApiError that has passed the interceptor. `request` reads the JSON
 * envelope from it; downloads (exports) read the bytes.
 */
export async function send(method: Method, path: string, opts: SendOptions = {}): Promise<Response> {
  const token = useAuthStore.getState().token;
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  const init: RequestInit = { method: method.toUpperCase(), headers };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (opts.signal) init.signal = opts.signal;
  const ctx = { authenticated: token !== null, silent: opts.silent === true };

  let response: Response;
  try {
    response = await config.fetch(buildUrl(path, opts.path, opts.query), init);
  } catch (e) {
    if ((e as { name?: unknown } | null)?.name === 'AbortError') throw e;
    const error = new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'The server could not be reached. Check your connection and try again.' });
    handleApiError(error, ctx);
    throw error;
  }
  if (!response.ok) {
    const error = await toError(response);
    handleApiError(error, ctx);
    throw error;
  }
  return response;
}

async function dataOnly<P extends PathsFor<M>, M extends Method>(method: M, path: P, options: RequestOptions<OperationOf<P, M>> | undefined) {
  const result = await request<P, M>(method, path, options);
  return result.data;
}

/** `api.get('/api/auth/me')` → the `data` of the envelope, typed from the contract. */
export const api = {
  request,
  get: <P extends PathsFor<'get'>>(path: P, ...[options]: OptionsArg<OperationOf<P, 'get'>>) =>
    dataOnly<P, 'get'>('get', path, options),
  /** A list endpoint: `data` and the paging `meta`. */
  list: <P extends PathsFor<'get'>>(path: P, ...[options]: OptionsArg<OperationOf<P, 'get'>>) =>
    request<P, 'get'>('get', path, options),
  post: <P extends PathsFor<'post'>>(path: P, ...[options]: OptionsArg<OperationOf<P, 'post'>>) =>
    dataOnly<P, 'post'>('post', path, options),
  put: <P extends PathsFor<'put'>>(path: P, ...[options]: OptionsArg<OperationOf<P, 'put'>>) =>
    dataOnly<P, 'put'>('put', path, options),
  patch: <P extends PathsFor<'patch'>>(path: P, ...[options]: OptionsArg<OperationOf<P, 'patch'>>) =>
    dataOnly<P, 'patch'>('patch', path, options),
  delete: <P extends PathsFor<'delete'>>(path: P, ...[options]: OptionsArg<OperationOf<P, 'delete'>>) =>
    dataOnly<P, 'delete'>('delete', path, options),
};
