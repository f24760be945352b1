import { describe, expect, it } from 'vitest';
import { useAuthStore } from '../stores/auth-store';
import { useToastStore } from '../stores/toast-store';
import { apiError, installFakeFetch, json, ok } from '../testing/fake-fetch';
import { makeMe, makeUser } from '../testing/fixtures';
import { api, buildUrl, configureApiClient, send } from './api-client';
import { ApiError } from './api-error';

describe('api client', () => {
  it('unwraps the envelope and sends the bearer token', async () => {
    useAuthStore.getState().signIn('jwt-1');
    const { calls } = installFakeFetch({ 'GET /api/auth/me': () => ok(makeMe()) });
    const me = await api.get('/api/auth/me');
    expect(me.name).toBe('Ada Lovelace');
    expect(calls[0]?.headers['authorization']).toBe('Bearer jwt-1');
    expect(calls[0]?.headers['content-type']).toBeUndefined();
  });

  it('sends no Authorization header without a token, and JSON bodies with a content type', async () => {
    const { calls } = installFakeFetch({ 'POST /api/auth/login': () => ok({ token: 't', user: makeUser() }) });
    const data = await api.post('/api/auth/login', { body: { email: 'a@b.co', password: 'pw' } });
    expect(data.token).toBe('t');
    expect(calls[0]?.headers['authorization']).toBeUndefined();
    expect(calls[0]?.headers['content-type']).toBe('application/json');
    expect(calls[0]?.body).toEqual({ email: 'a@b.co', password: 'pw' });
  });

  it('fills path parameters and the query, and returns list meta', async () => {
    useAuthStore.getState().signIn('jwt-1');
    const { calls } = installFakeFetch({
      'GET /api/users': () => ok([makeUser()], { total: 41, limit: 20, offset: 20 }),
      'PATCH /api/users/7': (req) => ok(makeUser({ id: 7, role: (req.body as { role: 'admin' }).role })),
    });
    const page = await api.list('/api/users', { query: { limit: 20, offset: 20 } });
    expect(page.meta).toEqual({ total: 41, limit: 20, offset: 20 });
    expect(calls[0]?.url.search).toBe('?limit=20&offset=20');
    const user = await api.patch('/api/users/{id}', { path: { id: 7 }, body: { role: 'admin' } });
    expect(user.role).toBe('admin');
  });

  it('encodes path parameters', () => {
    expect(buildUrl('/api/auth/invites/{token}', { token: 'a/b c' })).toBe('/api/auth/invites/a%2Fb%20c');
    expect(() => buildUrl('/api/users/{id}', {})).toThrow(/id/);
  });

  it('returns nothing for a 204', async () => {
    useAuthStore.getState().signIn('jwt-1');
    installFakeFetch({ 'DELETE /api/users/2': () => json(204, null) });
    await expect(api.delete('/api/users/{id}', { path: { id: 2 } })).resolves.toBeUndefined();
  });

  it('turns the error envelope into an ApiError and toasts it with the request id', async () => {
    useAuthStore.getState().signIn('jwt-1');
    installFakeFetch({ 'PATCH /api/users/1': () => apiError(409, 'LAST_ADMIN', 'The company must keep at least one admin.', {}, { 'X-Request-Id': 'req-last' }) });
    const error = await api.patch('/api/users/{id}', { path: { id: 1 }, body: { role: 'regular' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'LAST_ADMIN', message: 'The company must keep at least one admin.', requestId: 'req-last' });
    expect(useToastStore.getState().toasts).toMatchObject([{ kind: 'error', message: 'The company must keep at least one admin.', requestId: 'req-last' }]);
  });

  it('does not toast when the caller shows the error itself', async () => {
    installFakeFetch({ 'POST /api/auth/login': () => apiError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.') });
    await expect(api.post('/api/auth/login', { body: { email: 'a@b.co', password: 'x' }, silent: true })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it('a 401 without a token (a failed login) does not end a session', async () => {
    installFakeFetch({ 'POST /api/auth/login': () => apiError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.') });
    await expect(api.post('/api/auth/login', { body: { email: 'a@b.co', password: 'x' } })).rejects.toBeInstanceOf(ApiError);
    expect(useAuthStore.getState().notice).toBeNull();
  });

  it('a 401 on a signed-in request clears the session and asks to sign in again, even when silent', async () => {
    useAuthStore.getState().signIn('jwt-expired');
    useAuthStore.getState().setMe(makeMe());
    installFakeFetch({ 'GET /api/auth/me': () => apiError(401, 'UNAUTHORIZED', 'The token has expired') });
    await expect(api.get('/api/auth/me', { silent: true })).rejects.toMatchObject({ status: 401 });
    expect(useAuthStore.getState()).toMatchObject({ token: null, me: null, notice: { text: 'Your session has expired — please sign in again' } });
    expect(window.localStorage.getItem('stepwise.token')).toBeNull();
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it('maps 422 pointers to fields', async () => {
    installFakeFetch({
      'POST /api/auth/signup': () =>
        apiError(422, 'VALIDATION_ERROR', 'The request is not valid', {
          errors: [
            { pointer: '/password', message: 'must be at least 8 bytes' },
            { pointer: '/email', message: 'must look like an email' },
            { pointer: '', message: 'exactly one of company_name and invite_token' },
          ],
        }),
    });
    const error = (await api
      .post('/api/auth/signup', { body: { email: 'x', password: 'y', name: 'z', company_name: 'c' }, silent: true })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.fieldMessages()).toEqual({
      password: 'must be at least 8 bytes',
      email: 'must look like an email',
      '': 'exactly one of company_name and invite_token',
    });
  });

  it('reads Retry-After on 429 and says how long to wait', async () => {
    installFakeFetch({ 'POST /api/auth/login': () => apiError(429, 'RATE_LIMITED', 'Too many requests', {}, { 'Retry-After': '42' }) });
    const error = (await api.post('/api/auth/login', { body: { email: 'a@b.co', password: 'x' } }).catch((e: unknown) => e)) as ApiError;
    expect(error.retryAfter).toBe(42);
    expect(error.userMessage).toBe('Too many attempts. Please try again in 42 seconds.');
    expect(useToastStore.getState().toasts[0]?.message).toBe('Too many attempts. Please try again in 42 seconds.');
  });

  it('reports an unreachable server as NETWORK_ERROR', async () => {
    configureApiClient({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(api.get('/api/health')).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
    expect(useToastStore.getState().toasts[0]?.title).toBe('Cannot reach the server');
  });

  it('passes an abort through without a toast', async () => {
    configureApiClient({ fetch: () => Promise.reject(new DOMException('The operation was aborted.', 'AbortError')) });
    await expect(api.get('/api/health')).rejects.toMatchObject({ name: 'AbortError' });
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it('copes with an error that is not JSON', async () => {
    installFakeFetch({ 'GET /api/health': () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'X-Request-Id': 'gw-1' } }) });
    await expect(api.get('/api/health')).rejects.toMatchObject({ status: 502, code: 'BAD_RESPONSE', requestId: 'gw-1' });
  });
});

describe('api client: versions and raw responses', () => {
  it('sends extra headers such as If-Match and returns the ETag of the answer', async () => {
    useAuthStore.getState().signIn('jwt-1');
    const { calls } = installFakeFetch({
      'PUT /api/workflows/5': (req) => json(200, { data: { id: 5, name: (req.body as { name: string }).name }, meta: {} }, { ETag: '"v2"' }),
    });
    const result = await api.request('put', '/api/workflows/{id}', { path: { id: 5 }, body: { name: 'New' }, headers: { 'If-Match': '"v1"' } });
    expect(calls[0]?.headers['if-match']).toBe('"v1"');
    expect(calls[0]?.headers['authorization']).toBe('Bearer jwt-1');
    expect(result.etag).toBe('"v2"');
    expect(result.data).toMatchObject({ id: 5, name: 'New' });
  });

  it('a stale version is a 412 ApiError the caller can recognise', async () => {
    useAuthStore.getState().signIn('jwt-1');
    installFakeFetch({ 'PUT /api/workflows/5': () => apiError(412, 'PRECONDITION_FAILED', 'The workflow changed.') });
    const error = await api.put('/api/workflows/{id}', { path: { id: 5 }, body: { name: 'x' }, silent: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED' });
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it('send() hands back the raw response for downloads, with the query encoded', async () => {
    useAuthStore.getState().signIn('jwt-1');
    const { calls } = installFakeFetch({
      'GET /api/workflows/5/export': () => new Response('# How to', { status: 200, headers: { 'Content-Type': 'text/markdown', 'Content-Disposition': 'attachment; filename="how-to.md"' } }),
    });
    const response = await send('get', '/api/workflows/{id}/export', { path: { id: 5 }, query: { format: 'markdown' } });
    expect(await response.text()).toBe('# How to');
    expect(calls[0]?.url.search).toBe('?format=markdown');
  });

  it('send() fails like every request when the server refuses', async () => {
    useAuthStore.getState().signIn('jwt-1');
    installFakeFetch({ 'GET /api/workflows/5/export': () => apiError(404, 'WORKFLOW_NOT_FOUND', 'Workflow not found.') });
    await expect(send('get', '/api/workflows/{id}/export', { path: { id: 5 }, query: { format: 'html' } })).rejects.toMatchObject({ status: 404 });
    expect(useToastStore.getState().toasts[0]?.message).toBe('Workflow not found.');
  });
});
