import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../../lib/extension-bridge';
import { installFakeExtension, removeFakeExtension } from '../../../testing/fake-extension';
import { apiError, installFakeFetch, json } from '../../../testing/fake-fetch';
import { makeMe } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const CODE = 'k'.repeat(43);
const origin = window.location.origin;

afterEach(() => removeFakeExtension());

/** An extension not signed in until it gets a code, as the real one. */
function extension({ refuse }: { refuse?: string } = {}) {
  let user: { name: string; email: string } | null = null;
  return installFakeExtension((m) => {
    if (m.type === 'stepwise/ping') return { installed: true, version: '0.1.0', signed_in: user !== null, server_url: origin, user };
    if (m.type === 'stepwise/connect') {
      if (refuse) return { ok: false, error: refuse, message: 'Your organisation set the extension to use https://sw.corp.test.' };
      user = { name: 'Bob Member', email: 'bob@example.com' };
      return { ok: true, user };
    }
    return undefined;
  });
}

describe('Get the extension page', () => {
  it('is in the navigation, offers this server’s zip with the three steps, and says when the extension is not there', async () => {
    signInAs(makeMe({ role: 'regular' }));
    installFakeFetch({});
    renderApp('/extension');
    expect(await screen.findByRole('heading', { name: 'Get the extension' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Get the extension' }).getAttribute('href')).toBe('/extension');
    expect(screen.getByRole('link', { name: 'Download the extension (.zip)' }).getAttribute('href')).toBe('/api/extension.zip');
    const steps = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(steps).toEqual(['Open chrome://extensions (type it in the address bar).', 'Turn on Developer mode (top right).', 'Click Load unpacked and choose the unzipped folder.']);
    await waitFor(() => expect(screen.getByTestId('extension-status').textContent).toMatch(/not found in this browser/));
    expect((screen.getByRole('button', { name: 'Connect the extension' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('connects the extension with a one-time code: the code goes to the extension, the status names the user', async () => {
    signInAs(makeMe({ role: 'regular' }));
    const { calls } = installFakeFetch({ 'POST /api/auth/connect-codes': () => json(201, { data: { code: CODE, expires_at: '2026-11-25T21:31:00Z' }, meta: {} }) });
    const ext = extension();
    renderApp('/extension');
    await waitFor(() => expect(screen.getByTestId('extension-status').textContent).toBe('Installed, not signed in. Connect it below.'));
    fireEvent.click(screen.getByRole('button', { name: 'Connect the extension' }));
    await waitFor(() => expect(screen.getByTestId('extension-status').textContent).toBe('Installed and signed in as Bob Member (bob@example.com).'));
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(['POST /api/auth/connect-codes']);
    expect(ext.messages.map((m) => m.message)).toContainEqual({ type: 'stepwise/connect', server_url: origin, code: CODE });
    expect(ext.messages.every((m) => m.id === EXTENSION_ID)).toBe(true);
    expect(await screen.findByText('Extension connected')).toBeTruthy();
  });

  it('shows the extension’s refusal', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'POST /api/auth/connect-codes': () => json(201, { data: { code: CODE, expires_at: '2026-11-25T21:31:00Z' }, meta: {} }) });
    extension({ refuse: 'managed' });
    renderApp('/extension');
    await waitFor(() => expect((screen.getByRole('button', { name: 'Connect the extension' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Connect the extension' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/sw\.corp\.test\. Ask your IT team/);
  });

  it('a code the server will not make is the interceptor’s toast; the extension is not asked', async () => {
    signInAs(makeMe());
    installFakeFetch({ 'POST /api/auth/connect-codes': () => apiError(429, 'RATE_LIMITED', 'Too many requests.') });
    const ext = extension();
    renderApp('/extension');
    await waitFor(() => expect((screen.getByRole('button', { name: 'Connect the extension' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Connect the extension' }));
    expect(await screen.findByText('Slow down')).toBeTruthy();
    expect(ext.messages.some((m) => (m.message as { type: string }).type === 'stepwise/connect')).toBe(false);
  });
});
