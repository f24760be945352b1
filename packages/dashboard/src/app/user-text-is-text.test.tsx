// Names and company names come from users: they must render as text everywhere, never as markup.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { toast } from '../stores/toast-store';
import { installFakeFetch, ok } from '../testing/fake-fetch';
import { makeCompany, makeMe, makeUser } from '../testing/fixtures';
import { renderApp, signInAs } from '../testing/render';

const HOSTILE = '<img src=x onerror=alert(1)><script>x</script>';

function expectNoInjectedElements(container: HTMLElement) {
  expect(container.querySelectorAll('img').length).toBe(0);
  expect(container.querySelectorAll('script').length).toBe(0);
  expect(document.body.querySelectorAll('img, script').length).toBe(0);
}

describe('text from users renders as text', () => {
  it('in the shell, the account page, the team table, confirmations and toasts', async () => {
    signInAs(makeMe({ name: HOSTILE, company: { id: 1, name: `${HOSTILE} Ltd` } }));
    installFakeFetch({
      'GET /api/company': () => ok(makeCompany({ name: `${HOSTILE} Ltd` })),
      'GET /api/users': () =>
        ok([makeUser({ id: 1, name: HOSTILE, role: 'admin' }), makeUser({ id: 2, name: `Bob ${HOSTILE}`, email: 'bob@example.com' })], { total: 2, limit: 20, offset: 0 }),
    });
    const { container, router } = renderApp('/account');
    expect(screen.getByTestId('user-name').textContent).toBe(HOSTILE);
    expect(screen.getByTestId('company-name').textContent).toBe(`${HOSTILE} Ltd`);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(`Welcome, ${HOSTILE}`);
    expectNoInjectedElements(container);

    await router.navigate('/settings');
    await screen.findByLabelText(`Role of Bob ${HOSTILE}`);
    expect(screen.getByDisplayValue(`${HOSTILE} Ltd`)).toBeTruthy();
    screen.getByRole('button', { name: `Remove Bob ${HOSTILE}` }).click();
    await waitFor(() => expect(screen.getByRole('alertdialog', { name: `Remove Bob ${HOSTILE}?` })).toBeTruthy());
    toast.success(`${HOSTILE} is now an admin`);
    await screen.findByText(`${HOSTILE} is now an admin`);
    expectNoInjectedElements(container);
  });

  it('on the join page', async () => {
    installFakeFetch({ 'GET /api/auth/invites/tok': () => ok({ company_name: HOSTILE }) });
    const { container } = renderApp('/join/tok');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe(`Join ${HOSTILE}`);
    expectNoInjectedElements(container);
  });
});
