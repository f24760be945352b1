import type { AuthData, InviteInfo, LoginRequest, Me, SignupRequest } from '@stepwise/api-types';
import { api } from '../../../lib/api-client';

// Forms show these errors next to their fields, so the interceptor does not toast them.
export function signUp(body: SignupRequest): Promise<AuthData> {
  return api.post('/api/auth/signup', { body, silent: true });
}

export function logIn(body: LoginRequest): Promise<AuthData> {
  return api.post('/api/auth/login', { body, silent: true });
}

export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return api.get('/api/auth/me', signal ? { signal, silent: true } : { silent: true });
}

export function fetchInvite(token: string, signal?: AbortSignal): Promise<InviteInfo> {
  return api.get('/api/auth/invites/{token}', signal ? { path: { token }, signal, silent: true } : { path: { token }, silent: true });
}
