import { describe, expect, it } from 'vitest';
import { makeMe } from '../testing/fixtures';
import { SESSION_EXPIRED_NOTICE, TOKEN_KEY, selectIsAdmin, useAuthStore } from './auth-store';

describe('auth store', () => {
  it('keeps the token in localStorage when signing in and forgets the previous user', () => {
    useAuthStore.setState({ me: makeMe() });
    useAuthStore.getState().signIn('jwt-1');
    expect(window.localStorage.getItem(TOKEN_KEY)).toBe('jwt-1');
    expect(useAuthStore.getState()).toMatchObject({ token: 'jwt-1', me: null, notice: null });
  });

  it('signs out: token gone from state and storage, with an optional notice', () => {
    useAuthStore.getState().signIn('jwt-1');
    useAuthStore.getState().setMe(makeMe());
    useAuthStore.getState().signOut({ text: 'You have signed out.', tone: 'info' });
    expect(window.localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(useAuthStore.getState()).toMatchObject({ token: null, me: null, notice: { text: 'You have signed out.', tone: 'info' } });
  });

  it('an expired session leaves the message for the sign-in page', () => {
    useAuthStore.getState().signIn('jwt-1');
    useAuthStore.getState().expireSession();
    expect(useAuthStore.getState().token).toBeNull();
    expect(useAuthStore.getState().notice).toEqual({ text: SESSION_EXPIRED_NOTICE, tone: 'warning' });
    expect(SESSION_EXPIRED_NOTICE).toBe('Your session has expired — please sign in again');
    useAuthStore.getState().clearNotice();
    expect(useAuthStore.getState().notice).toBeNull();
  });

  it('updates the company name and role of the signed-in user', () => {
    useAuthStore.getState().setMe(makeMe());
    useAuthStore.getState().setCompanyName('Difference Engines plc');
    expect(useAuthStore.getState().me?.company.name).toBe('Difference Engines plc');
    expect(selectIsAdmin(useAuthStore.getState())).toBe(true);
    useAuthStore.getState().setMyRole('regular');
    expect(selectIsAdmin(useAuthStore.getState())).toBe(false);
  });

  it('ignores profile updates when nobody is loaded', () => {
    useAuthStore.getState().setCompanyName('X');
    useAuthStore.getState().setMyRole('admin');
    expect(useAuthStore.getState().me).toBeNull();
  });
});
