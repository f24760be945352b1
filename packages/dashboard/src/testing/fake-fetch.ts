import { vi } from 'vitest';
import { configureApiClient } from '../lib/api-client';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export type FakeHandler = (req: FakeRequest) => Response | Promise<Response>;

let requestCounter = 0;

/** A JSON response as the server sends it (with an X-Request-Id). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  requestCounter += 1;
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': `req-${requestCounter}`, ...headers },
  });
}

export const ok = (data: unknown, meta: unknown = {}) => json(200, { data, meta });

export function apiError(status: number, code: string, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return json(status, { error: { code, message, details } }, headers);
}

/**
 * Installs a fake `fetch` in the API client. Routes are `"METHOD /path"` (the path without the
 * query); a request nobody handles fails the test loudly.
 */
export function installFakeFetch(routes: Record<string, FakeHandler>) {
  const calls: FakeRequest[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const req: FakeRequest = { method, url, headers, body };
    calls.push(req);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) throw new Error(`Unexpected request ${method} ${url.pathname}`);
    return handler(req);
  });
  configureApiClient({ fetch: fetchFn as unknown as typeof fetch });
  return { fetch: fetchFn, calls };
}
