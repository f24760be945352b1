import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { installFakeExtension, removeFakeExtension } from '../../../testing/fake-extension';
import { installFakeFetch, json } from '../../../testing/fake-fetch';
import { makeMe } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

afterEach(() => removeFakeExtension());

const ping = { installed: true, version: '0.1.0', signed_in: false, server_url: window.location.origin, user: null };

describe('a guide’s share link (/guide/:id)', () => {
  it('without the extension, says how to get it (signed out too)', async () => {
    installFakeFetch({});
    renderApp('/guide/7');
    const box = await screen.findByTestId('guide-needs-extension');
    expect(box.textContent).toMatch(/extension was not found/);
    expect(screen.getByRole('link', { name: 'Get the extension' }).getAttribute('href')).toBe('/extension');
  });

  it('with the extension, hands it the workflow id and nothing else', async () => {
    installFakeFetch({});
    const ext = installFakeExtension((m) => (m.type === 'stepwise/ping' ? ping : { ok: true, workflow: { id: 7, name: 'Pay <a supplier>' }, needs_access: false }));
    renderApp('/guide/7');
    expect(await screen.findByText('Starting “Pay <a supplier>”')).toBeTruthy();
    expect(ext.messages.map((m) => m.message)).toEqual([{ type: 'stepwise/ping' }, { type: 'stepwise/start-guide', workflow_id: 7 }]);
  });

  it('not connected and signed in to the dashboard: connects with a code, then starts', async () => {
    signInAs(makeMe({ role: 'regular' }));
    const code = 'q'.repeat(43);
    installFakeFetch({ 'POST /api/auth/connect-codes': () => json(201, { data: { code, expires_at: '2026-11-25T21:31:00Z' }, meta: {} }) });
    let connected = false;
    const ext = installFakeExtension((m) => {
      if (m.type === 'stepwise/ping') return ping;
      if (m.type === 'stepwise/connect') {
        connected = true;
        return { ok: true, user: { name: 'Bob', email: 'bob@example.com' } };
      }
      return connected ? { ok: true, workflow: { id: 7, name: 'Pay' }, needs_access: false } : { ok: false, error: 'not_connected', message: 'Connect it first.' };
    });
    renderApp('/guide/7');
    fireEvent.click(await screen.findByRole('button', { name: 'Connect and start the guide' }));
    expect(await screen.findByText('Starting “Pay”')).toBeTruthy();
    expect(ext.messages.map((m) => m.message)).toContainEqual({ type: 'stepwise/connect', server_url: window.location.origin, code });
  });

  it('not connected and signed out: a sign-in link that comes back here', async () => {
    installFakeFetch({});
    installFakeExtension((m) => (m.type === 'stepwise/ping' ? ping : { ok: false, error: 'not_connected', message: 'Connect it first.' }));
    const { router } = renderApp('/guide/7');
    fireEvent.click(await screen.findByRole('link', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.state).toEqual({ from: '/guide/7' });
  });

  it('shows the extension’s reason when it cannot start, and a bad link as such', async () => {
    installFakeFetch({});
    installFakeExtension((m) => (m.type === 'stepwise/ping' ? ping : { ok: false, error: 'not_published', message: 'This guide is not published.' }));
    renderApp('/guide/7');
    expect((await screen.findByRole('alert')).textContent).toMatch(/not published/);
    removeFakeExtension();
    renderApp('/guide/7abc');
    expect((await screen.findAllByRole('alert')).some((a) => /not valid/.test(a.textContent ?? ''))).toBe(true);
  });
});

describe('signing in from a share link', () => {
  it('comes back to the link after signing in', async () => {
    installFakeFetch({
      'POST /api/auth/login': () => json(200, { data: { token: 'tok-new', user: makeMe({ role: 'regular' }) }, meta: {} }),
      'GET /api/auth/me': () => json(200, { data: makeMe({ role: 'regular' }), meta: {} }),
    });
    installFakeExtension((m) => (m.type === 'stepwise/ping' ? ping : { ok: false, error: 'not_connected', message: 'Connect it first.' }));
    const { router } = renderApp('/guide/7');
    fireEvent.click(await screen.findByRole('link', { name: 'Sign in' }));
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'bob@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'pw-123456789' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/guide/7'));
    expect(await screen.findByRole('button', { name: 'Connect and start the guide' })).toBeTruthy();
  });
});
