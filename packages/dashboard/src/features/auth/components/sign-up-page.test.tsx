import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeFetch, ok } from '../../../testing/fake-fetch';
import { makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp } from '../../../testing/render';

function fillForm(values: { name: string; email: string; password: string; company: string }) {
  fireEvent.change(screen.getByLabelText('Your name'), { target: { value: values.name } });
  fireEvent.change(screen.getByLabelText('Work email'), { target: { value: values.email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: values.password } });
  fireEvent.change(screen.getByLabelText('Company name'), { target: { value: values.company } });
  fireEvent.click(screen.getByRole('button', { name: 'Create company' }));
}

function errorOf(label: string): string | null {
  const input = screen.getByLabelText(label);
  if (input.getAttribute('aria-invalid') !== 'true') return null;
  const id = (input.getAttribute('aria-describedby') ?? '').split(' ')[0]!;
  return document.getElementById(id)?.textContent ?? null;
}

describe('sign up', () => {
  it('creates the company and signs the admin in', async () => {
    const { calls } = installFakeFetch({
      'POST /api/auth/signup': () => ok({ token: 'jwt-new', user: makeUser({ id: 1, role: 'admin' }) }),
      'GET /api/auth/me': () => ok(makeMe()),
      'GET /api/workflows': () => ok([], { total: 0, limit: 25, offset: 0 }),
    });
    renderApp('/signup');
    fillForm({ name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery', company: 'Analytical Engines Ltd' });
    expect(await screen.findByRole('heading', { name: 'Record your first workflow' })).toBeTruthy();
    expect(calls[0]?.body).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery', company_name: 'Analytical Engines Ltd' });
    expect(screen.getByRole('link', { name: 'Settings' })).toBeTruthy();
  });

  it('shows each 422 problem next to the field its pointer names', async () => {
    installFakeFetch({
      'POST /api/auth/signup': () =>
        apiError(422, 'VALIDATION_ERROR', 'The request is not valid', {
          errors: [
            { pointer: '/password', message: 'must be at least 8 bytes' },
            { pointer: '/company_name', message: 'must not be blank' },
          ],
        }),
    });
    renderApp('/signup');
    fillForm({ name: 'Ada', email: 'ada@example.com', password: 'short', company: ' ' });
    await waitFor(() => expect(errorOf('Password')).toBe('Must be at least 8 bytes'));
    expect(errorOf('Company name')).toBe('Must not be blank');
    expect(errorOf('Work email')).toBeNull();
    expect(errorOf('Your name')).toBeNull();
  });

  it('says when the email is taken, next to the email', async () => {
    installFakeFetch({ 'POST /api/auth/signup': () => apiError(409, 'EMAIL_TAKEN', 'An account with this email already exists.') });
    renderApp('/signup');
    fillForm({ name: 'Ada', email: 'ada@example.com', password: 'correct horse battery', company: 'X' });
    await waitFor(() => expect(errorOf('Work email')).toMatch(/already exists/));
  });
});
