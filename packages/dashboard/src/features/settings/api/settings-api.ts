import type { Company, PageMeta, Role, User } from '@stepwise/api-types';
import { api } from '../../../lib/api-client';
import type { CheckSession } from '../../../lib/schemas';

export function fetchCompany(signal?: AbortSignal): Promise<Company> {
  return api.get('/api/company', signal ? { signal, silent: true } : { silent: true });
}

export function renameCompany(name: string): Promise<Company> {
  return api.patch('/api/company', { body: { name }, silent: true });
}

export async function rotateInviteToken(): Promise<string> {
  const data = await api.post('/api/company/invite-token/rotate');
  return data.invite_token;
}

export interface UserPage {
  users: User[];
  meta: PageMeta;
}

export async function fetchUsers(page: { limit: number; offset: number }, signal?: AbortSignal): Promise<UserPage> {
  const result = await api.list('/api/users', signal ? { query: page, signal, silent: true } : { query: page, silent: true });
  return { users: result.data, meta: result.meta };
}

// Role changes and removals explain LAST_ADMIN in place, so they are silent too.
export function changeRole(id: number, role: Role): Promise<User> {
  return api.patch('/api/users/{id}', { path: { id }, body: { role }, silent: true });
}

export function removeUser(id: number): Promise<void> {
  return api.delete('/api/users/{id}', { path: { id }, silent: true });
}

/** The default the server applies while the company never set `heal_confirmations_required`. */
export const DEFAULT_HEAL_CONFIRMATIONS = 2;

export function setHealConfirmationsRequired(n: number): Promise<Company> {
  return api.patch('/api/company', { body: { settings: { heal_confirmations_required: n } }, silent: true });
}

/**
 * Sets the address the company's alerts are posted to. The server checks it when saved and answers
 * 422 with the reason at `/settings/webhook_url`, which the card shows under the field.
 */
export function setWebhookUrl(url: string): Promise<Company> {
  return api.patch('/api/company', { body: { settings: { webhook_url: url } }, silent: true });
}

/** Stops the alerts; a failure becomes a toast while the confirmation stays open to try again. */
export function removeWebhook(): Promise<Company> {
  return api.patch('/api/company', { body: { settings: { webhook_url: null } } });
}

/** Turns the extension's guide launcher on or off for the whole company (off until set). */
export function setLauncherEnabled(on: boolean): Promise<Company> {
  return api.patch('/api/company', { body: { settings: { launcher_enabled: on } }, silent: true });
}

/** The origins a session for scheduled checks is saved for (the extension saves them). */
export function listCheckSessions(signal?: AbortSignal): Promise<CheckSession[]> {
  return api.get('/api/check-sessions', signal ? { signal, silent: true } : { silent: true });
}

/** Forgets a saved session; the card explains a failure in place (a 404: it was already gone). */
export function deleteCheckSession(id: number): Promise<void> {
  return api.delete('/api/check-sessions/{id}', { path: { id }, silent: true });
}
