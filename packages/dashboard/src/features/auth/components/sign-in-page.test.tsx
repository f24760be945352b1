import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useAuthStore } from '../../../stores/auth-store';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp } from '../../../testing/render';

function submit(email: string, password: string) {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('sign in', () => {
  it('signs in and lands on the workflows page', async () => {
    const { calls } = installFakeFetch({
      'POST /api/auth/login': () => ok({ token: 'jwt-ok', user: makeUser({ id: 1, role: 'admin' }) }),
      'GET /api/auth/me': () => ok(makeMe()),
      'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }),
    });
    const { router } = renderApp('/login');
    submit('ada@example.com', 'correct horse battery');
    expect(await screen.findByRole('heading', { name: 'Record your first workflow' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/workflows');
    expect(calls[0]?.body).toEqual({ email: 'ada@example.com', password: 'correct horse battery' });
    expect(window.localStorage.getItem('stepwise.token')).toBe('jwt-ok');
  });

  it('says clearly when email or password is wrong', async () => {
    installFakeFetch({ 'POST /api/auth/login': () => apiError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.') });
    renderApp('/login');
    submit('ada@example.com', 'nope');
    expect(await screen.findByText('Email or password is incorrect.')).toBeTruthy();
    expect(useAuthStore.getState().token).toBeNull();
  });

  it('shows how long to wait when rate limited', async () => {
    installFakeFetch({ 'POST /api/auth/login': () => apiError(429, 'RATE_LIMITED', 'Too many requests', {}, { 'Retry-After': '30' }) });
    renderApp('/login');
    submit('ada@example.com', 'x');
    expect(await screen.findByText('Too many attempts. Please try again in 30 seconds.')).toBeTruthy();
  });

  it('puts a 422 problem next to the email field', async () => {
    installFakeFetch({
      'POST /api/auth/login': () => apiError(422, 'VALIDATION_ERROR', 'The request is not valid', { errors: [{ pointer: '/email', message: 'must not be empty' }] }),
    });
    renderApp('/login');
    submit('', 'x');
    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = email.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy.split(' ')[0]!)?.textContent).toBe('Must not be empty');
  });

  it('shows why the person was sent here', async () => {
    useAuthStore.setState({ notice: { text: 'Your session has expired — please sign in again', tone: 'warning' } });
    renderApp('/login');
    expect(screen.getByText('Your session has expired — please sign in again')).toBeTruthy();
  });
});
