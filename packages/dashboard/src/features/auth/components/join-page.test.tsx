import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp } from '../../../testing/render';

describe('join by invite link', () => {
  it('names the company and joins it as a member', async () => {
    const { calls } = installFakeFetch({
      'GET /api/auth/invites/tok-123': () => ok({ company_name: 'Analytical Engines Ltd' }),
      'POST /api/auth/signup': () => ok({ token: 'jwt-bob', user: makeUser() }),
      'GET /api/auth/me': () => ok(makeMe({ id: 2, name: 'Bob', role: 'regular' })),
      'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }),
    });
    renderApp('/join/tok-123');
    expect(await screen.findByRole('heading', { name: 'Join Analytical Engines Ltd' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Your name'), { target: { value: 'Bob' } });
    fireEvent.change(screen.getByLabelText('Work email'), { target: { value: 'bob@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'another good password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join Analytical Engines Ltd' }));
    expect(await screen.findByRole('heading', { name: 'No workflows published yet' })).toBeTruthy();
    expect(screen.getByTestId('user-name').textContent).toBe('Bob');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Bob', email: 'bob@example.com', password: 'another good password', invite_token: 'tok-123' });
    expect(screen.queryByRole('link', { name: 'Settings' })).toBeNull();
  });

  it('explains an invalid or rotated link', async () => {
    installFakeFetch({ 'GET /api/auth/invites/old': () => apiError(404, 'INVALID_INVITE_TOKEN', 'This invite link is not valid any more.') });
    renderApp('/join/old');
    expect(await screen.findByText(/This invite link is not valid any more\. It may have been replaced/)).toBeTruthy();
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('explains a link rotated while the form was open', async () => {
    installFakeFetch({
      'GET /api/auth/invites/tok-1': () => ok({ company_name: 'Acme' }),
      'POST /api/auth/signup': () => apiError(400, 'INVALID_INVITE_TOKEN', 'This invite link is not valid any more.'),
    });
    renderApp('/join/tok-1');
    await screen.findByRole('heading', { name: 'Join Acme' });
    fireEvent.click(screen.getByRole('button', { name: 'Join Acme' }));
    expect(await screen.findByText(/ask your admin for the current link/)).toBeTruthy();
  });

  it('offers a retry when the server cannot be reached', async () => {
    installFakeFetch({ 'GET /api/auth/invites/tok-1': () => apiError(503, 'OVERLOADED', 'busy', {}, { 'Retry-After': '5' }) });
    renderApp('/join/tok-1');
    expect(await screen.findByText('The server is busy. Please try again in 5 seconds.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
