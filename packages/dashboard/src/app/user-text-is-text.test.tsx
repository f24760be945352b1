// Names and company names come from users: they must render as text everywhere, never as markup.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { toast } from '../stores/toast-store';
import { installFakeFetch, ok } from '../testing/fake-fetch';
import { FakeEventSource } from '../testing/fake-event-source';
import { makeCompany, makeDetail, makeHealReview, makeHealVote, makeMe, makeNotification, makeSelectorVariant, makeStep, makeUser, makeWorkflow } from '../testing/fixtures';
import { renderApp, signInAs } from '../testing/render';

const HOSTILE = '<img src=x onerror=alert(1)><script>x</script>';

function expectNoInjectedElements(container: HTMLElement) {
  expect(container.querySelectorAll('img').length).toBe(0);
  expect(container.querySelectorAll('script').length).toBe(0);
  expect(document.body.querySelectorAll('img, script').length).toBe(0);
}

describe('text from users renders as text', () => {
  it('in the shell, the account page, the team table, confirmations and toasts', async () => {
    signInAs(makeMe({ name: HOSTILE, company: { id: 1, name: `${HOSTILE} Ltd`, launcher_enabled: false } }));
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

  it('in the workflows list, the review page (steps, details, screenshot) and notifications', async () => {
    signInAs(makeMe());
    const hostileStep = makeStep({
      step_number: 1,
      field_label: HOSTILE,
      instruction: `Type ${HOSTILE}`,
      selectors: { primary: HOSTILE, css: HOSTILE },
      page_context: { url: `https://x.example/${HOSTILE}`, viewport: { width: 1000, height: 500 } },
    });
    hostileStep.selector_variants = [
      ...hostileStep.selector_variants!,
      makeSelectorVariant({
        method: 'approved',
        status: 'shared',
        page_state_hash: HOSTILE,
        selectors: { primary: HOSTILE, css: HOSTILE, xpath: HOSTILE, aria: HOSTILE },
        votes: [makeHealVote({ user_name: HOSTILE, admin: true, how: 'approved' }), makeHealVote({ user_id: 3, user_name: `Cy ${HOSTILE}`, vote: 'reject' })],
      }),
    ];
    const w = makeDetail({ name: HOSTILE, description: HOSTILE, tags: [HOSTILE] }, [hostileStep]);
    installFakeFetch({
      'GET /api/workflows': () => ok([makeWorkflow({ name: HOSTILE, description: HOSTILE, tags: [HOSTILE] })], { total: 1, limit: 25, offset: 0 }),
      'GET /api/workflows/10': () => ok(w),
      'GET /api/notifications/unread-count': () => ok({ unread: 0 }),
      'GET /api/notifications': () => ok([makeNotification({ id: 1, title: HOSTILE, message: HOSTILE })], { next_cursor: null, unread: 1 }),
    });
    const { container, router } = renderApp('/workflows');
    const link = await screen.findByRole('link', { name: HOSTILE });
    expect(link.textContent).toBe(HOSTILE);
    expectOnlyOwnImages(container);

    await router.navigate('/workflows/10');
    expect((await screen.findByRole('heading', { level: 1, name: HOSTILE })).textContent).toBe(HOSTILE);
    expect(screen.getByRole('button', { name: 'Edit label of step 1' }).textContent).toContain(HOSTILE);
    expect(screen.getByText(`Type ${HOSTILE}`)).toBeTruthy();
    expect((screen.getByLabelText('Description') as HTMLTextAreaElement).value).toBe(HOSTILE);
    fireEvent.click(screen.getByText('Selectors and healing history'));
    const selectors = screen.getByRole('region', { name: 'Selectors of step 1' });
    expect(within(selectors).getAllByText(HOSTILE).length).toBe(6);
    expect(within(selectors).getByText(`Approved by ${HOSTILE}`)).toBeTruthy();
    expect(within(selectors).getByText(`Confirmed by ${HOSTILE} (admin) · rejected by Cy ${HOSTILE}`)).toBeTruthy();
    expectOnlyOwnImages(container);
    fireEvent.click(screen.getByRole('button', { name: 'View the screenshot of step 1' }));
    expect(screen.getByRole('dialog').textContent).toContain(HOSTILE);
    expectOnlyOwnImages(container);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });

    act(() => FakeEventSource.last.open());
    act(() => FakeEventSource.last.emit('notification', makeNotification({ id: 2, title: HOSTILE, message: HOSTILE })));
    fireEvent.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    const panel = await screen.findByRole('region', { name: 'Notifications' });
    expect((await within(panel).findAllByRole('link', { name: HOSTILE })).length).toBeGreaterThan(0);
    expectOnlyOwnImages(container);
  });
});

describe('text from users renders as text in the heal review queue', () => {
  it('voter names and selectors', async () => {
    signInAs(makeMe());
    installFakeFetch({
      'GET /api/heal-reviews': () =>
        ok(
          [
            makeHealReview({ selector: HOSTILE, previous_selector: HOSTILE, field_label: HOSTILE, workflow_name: HOSTILE, votes: [makeHealVote({ user_name: HOSTILE })] }),
            makeHealReview({ id: 2, status: 'approved', resolution: 'admin', decided_at: '2026-11-25T11:00:00Z', votes: [makeHealVote({ user_name: HOSTILE, admin: true, how: 'approved' })] }),
          ],
          { total: 2, limit: 20, offset: 0 },
        ),
    });
    const { container } = renderApp('/heal-reviews');
    const card = await screen.findByTestId('heal-review-1');
    expect(within(card).getAllByText(HOSTILE).length).toBe(4);
    expect(screen.getByTestId('heal-review-resolution-2').textContent).toContain(`Approved by ${HOSTILE}`);
    expectOnlyOwnImages(container);
  });
});

/** The app's own images (screenshots) are fine; nothing from user text may become an element. */
function expectOnlyOwnImages(container: HTMLElement) {
  expect(document.body.querySelectorAll('script, img[src="x"], [onerror]').length).toBe(0);
  for (const img of Array.from(container.querySelectorAll('img'))) expect(img.getAttribute('src')).toMatch(/^\/api\/blobs\//);
}
