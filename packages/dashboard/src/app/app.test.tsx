import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useAuthStore } from '../stores/auth-store';
import { apiError, installFakeFetch, ok } from '../testing/fake-fetch';
import { makeCompany, makeMe, makeUser } from '../testing/fixtures';
import { renderApp, signInAs } from '../testing/render';

describe('routing and guards', () => {
  it('sends a signed-out visitor to sign in', async () => {
    const { router } = renderApp('/settings');
    expect(await screen.findByRole('heading', { name: 'Sign in to Stepwise' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
  });

  it('loads the caller, then shows the shell with company and user', async () => {
    useAuthStore.getState().signIn('jwt-1');
    installFakeFetch({ 'GET /api/auth/me': () => ok(makeMe()) });
    renderApp('/');
    expect(screen.getByText('Loading your account…')).toBeTruthy();
    expect(await screen.findByTestId('company-name')).toHaveProperty('textContent', 'Analytical Engines Ltd');
    expect(screen.getByTestId('user-name').textContent).toBe('Ada Lovelace');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
  });

  it('a refused token on load goes back to sign in with the expiry message', async () => {
    useAuthStore.getState().signIn('jwt-old');
    installFakeFetch({ 'GET /api/auth/me': () => apiError(401, 'UNAUTHORIZED', 'The token has expired') });
    const { router } = renderApp('/account');
    expect(await screen.findByText('Your session has expired — please sign in again')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
  });

  it('shows an error with a retry when the caller cannot be loaded', async () => {
    useAuthStore.getState().signIn('jwt-1');
    let fail = true;
    installFakeFetch({ 'GET /api/auth/me': () => (fail ? apiError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.', {}, { 'X-Request-Id': 'boom-1' }) : ok(makeMe())) });
    renderApp('/account');
    expect(await screen.findByText('Your account could not be loaded')).toBeTruthy();
    expect(screen.getByText('Request ID: boom-1')).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Welcome, Ada Lovelace' })).toBeTruthy();
  });

  it('a member sees no Settings link and is sent back from /settings with a message', async () => {
    signInAs(makeMe({ role: 'regular', name: 'Bob' }));
    installFakeFetch({ 'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }) });
    const { router } = renderApp('/settings');
    expect(await screen.findByText(/Settings are for admins/)).toBeTruthy();
    expect(router.state.location.pathname).toBe('/workflows');
    expect(screen.queryByRole('link', { name: 'Settings' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Rotate/ })).toBeNull();
  });

  it('an admin reaches settings from the nav', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': () => ok([makeUser({ id: 1, name: 'Ada Lovelace', role: 'admin' }), makeUser()], { total: 2, limit: 20, offset: 0 }),
    });
    renderApp('/account');
    fireEvent.click(screen.getByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
    expect(await screen.findByRole('navigation', { name: 'Team pages' })).toBeTruthy();
  });

  it('a signed-in person who opens /login goes home', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }) });
    const { router } = renderApp('/login');
    await waitFor(() => expect(router.state.location.pathname).toBe('/workflows'));
  });

  it('signing out forgets the token and says so on the sign-in page', async () => {
    signInAs(makeMe());
    window.localStorage.setItem('stepwise.token', 'test-token');
    const { router } = renderApp('/account');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByText('You have signed out.')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
    expect(window.localStorage.getItem('stepwise.token')).toBeNull();
  });

  it('signed out on purpose, signing in again starts at home; an expired session comes back', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }) });
    const { router } = renderApp('/account');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByText('You have signed out.');
    expect(router.state.location.state ?? null).toBeNull();
    act(() => useAuthStore.getState().signIn('t2'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/workflows'));
    act(() => useAuthStore.getState().setMe(makeMe()));
    await act(() => router.navigate('/account'));
    act(() => useAuthStore.getState().expireSession());
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.state).toEqual({ from: '/account' });
  });

  it('a demoted admin is moved off settings at once', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/company': () => ok(makeCompany()),
      'GET /api/users': () => ok([makeUser({ id: 1, name: 'Ada Lovelace', role: 'admin' })], { total: 1, limit: 20, offset: 0 }),
      'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }),
    });
    const { router } = renderApp('/settings');
    await screen.findByRole('heading', { name: 'Settings' });
    act(() => useAuthStore.getState().setMyRole('regular'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/workflows'));
  });

  it('shows a not-found page for unknown addresses', () => {
    renderApp('/nowhere');
    expect(screen.getByRole('heading', { name: 'This page does not exist' })).toBeTruthy();
  });
});
