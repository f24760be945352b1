import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Company } from '@stepwise/api-types';
import { apiError, installFakeFetch, ok, type FakeHandler } from '../../../testing/fake-fetch';
import { makeCompany, makeMe, makeUser } from '../../../testing/fixtures';
import { renderApp, signInAs } from '../../../testing/render';

const LOOPBACK =
  'The webhook URL points at a loopback address (127.0.0.1); webhooks reach public addresses only (an operator can set WEBHOOK_ALLOW_PRIVATE=true for an intranet install)';
const SAVED = 'https://hooks.example.com/stepwise';

const users: FakeHandler = () => ok([makeUser({ id: 1, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin' })], { total: 1, limit: 20, offset: 0 });

function refusal(message: string) {
  return apiError(422, 'VALIDATION_ERROR', 'The request is not valid', { errors: [{ pointer: '/settings/webhook_url', message }] });
}

/** The settings page of a company whose PATCH answers `patch`; the webhook card and its parts. */
async function openCard(company: Company, patch: FakeHandler = () => ok(company)) {
  signInAs(makeMe());
  const fake = installFakeFetch({ 'GET /api/company': () => ok(company), 'GET /api/users': users, 'PATCH /api/company': patch });
  renderApp('/settings');
  const card = await screen.findByRole('region', { name: 'Webhook' });
  return {
    ...fake,
    card,
    input: within(card).getByLabelText('Webhook URL') as HTMLInputElement,
    save: within(card).getByRole('button', { name: 'Save webhook' }) as HTMLButtonElement,
    current: () => within(card).getByTestId('webhook-current').textContent,
  };
}

describe('webhook card', () => {
  it('says there is no webhook, masks the secret until shown and copies it', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { card, input, save, current } = await openCard(makeCompany());
    expect(current()).toBe('No webhook');
    expect(within(card).queryByRole('button', { name: 'Remove webhook' })).toBeNull();
    expect(input.type).toBe('url');
    expect(input.maxLength).toBe(2048);
    expect(input.value).toBe('');
    expect(save.disabled).toBe(true);

    const secret = within(card).getByLabelText('Signing secret') as HTMLInputElement;
    expect(secret.type).toBe('password');
    expect(secret.readOnly).toBe(true);
    const about = document.getElementById(secret.getAttribute('aria-describedby')!)!;
    expect(about.textContent).toContain('X-Stepwise-Signature: sha256=<HMAC-SHA256 of the body with this secret>');
    expect(about.textContent).toContain('X-Stepwise-Event');
    expect(about.textContent).toContain('X-Stepwise-Delivery');

    fireEvent.click(within(card).getByRole('button', { name: 'Show signing secret' }));
    expect(secret.type).toBe('text');
    expect(secret.value).toBe('whsec-0123456789abcdef');
    fireEvent.click(within(card).getByRole('button', { name: 'Hide signing secret' }));
    expect(secret.type).toBe('password');

    fireEvent.click(within(card).getByRole('button', { name: 'Copy signing secret' }));
    expect(await within(card).findByRole('button', { name: 'Copied ✓' })).toBeTruthy();
    expect(writeText).toHaveBeenCalledWith('whsec-0123456789abcdef');
    expect(secret.type).toBe('password');
  });

  it('saves a URL and shows it as the current webhook', async () => {
    const { card, input, save, current, calls } = await openCard(makeCompany(), () => ok(makeCompany({ settings: { webhook_url: SAVED } })));
    fireEvent.change(input, { target: { value: ` ${SAVED} ` } });
    fireEvent.click(save);
    expect(await screen.findByText('Webhook saved')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ settings: { webhook_url: SAVED } });
    expect(current()).toBe(SAVED);
    expect(input.value).toBe(SAVED);
    expect(input.getAttribute('aria-invalid')).toBeNull();
    await waitFor(() => expect(save.disabled).toBe(true));
    expect(within(card).getByRole('button', { name: 'Remove webhook' })).toBeTruthy();
  });

  it('shows the server’s reason for refusing a URL under the field, keeps the text and shows no success', async () => {
    const { card, input, save, current, calls } = await openCard(makeCompany(), () => refusal(LOOPBACK));
    fireEvent.change(input, { target: { value: 'http://127.0.0.1:9/hook' } });
    fireEvent.click(save);
    const message = await within(card).findByText(LOOPBACK);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')?.split(' ')).toContain(message.id);
    expect(input.value).toBe('http://127.0.0.1:9/hook');
    expect(document.activeElement).toBe(input);
    expect(current()).toBe('No webhook');
    expect(screen.queryByText('Webhook saved')).toBeNull();
    expect(screen.queryByText('Please check the form')).toBeNull();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ settings: { webhook_url: 'http://127.0.0.1:9/hook' } });
    expect(save.disabled).toBe(false);
  });

  it('renders a refusal as text, never as markup', async () => {
    const hostile = 'The webhook URL names a host that could not be resolved (<img src=x onerror=alert(1)>)';
    const { card, input, save } = await openCard(makeCompany(), () => refusal(hostile));
    fireEvent.change(input, { target: { value: 'https://<img src=x onerror=alert(1)>/' } });
    fireEvent.click(save);
    expect(await within(card).findByText(hostile)).toBeTruthy();
    expect(document.body.querySelectorAll('img').length).toBe(0);
  });

  it('removes the webhook only after confirmation, then says there is none', async () => {
    const { card, input, current, calls } = await openCard(makeCompany({ settings: { webhook_url: SAVED } }), () => ok(makeCompany({ settings: {} })));
    expect(current()).toBe(SAVED);
    expect(input.value).toBe(SAVED);

    fireEvent.click(within(card).getByRole('button', { name: 'Remove webhook' }));
    let dialog = screen.getByRole('alertdialog', { name: 'Remove the webhook?' });
    expect(within(dialog).getByText(SAVED)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);

    fireEvent.click(within(card).getByRole('button', { name: 'Remove webhook' }));
    dialog = screen.getByRole('alertdialog', { name: 'Remove the webhook?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove webhook' }));
    expect(await screen.findByText('Webhook removed')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ settings: { webhook_url: null } }]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(current()).toBe('No webhook');
    expect(input.value).toBe('');
    expect(within(card).queryByRole('button', { name: 'Remove webhook' })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(input));
  });

  it('keeps the webhook and the dialog when removing fails', async () => {
    const { card, current } = await openCard(makeCompany({ settings: { webhook_url: SAVED } }), () => apiError(503, 'OVERLOADED', 'busy'));
    fireEvent.click(within(card).getByRole('button', { name: 'Remove webhook' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove webhook' }));
    expect(await screen.findByText('The server is busy. Please try again shortly.')).toBeTruthy();
    expect(screen.getByRole('alertdialog', { name: 'Remove the webhook?' })).toBeTruthy();
    expect(current()).toBe(SAVED);
  });
});
