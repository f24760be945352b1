// Messages from web pages (chrome.runtime.onMessageExternal; the manifest's externally_connectable
// says which pages may send at all). Who is asking is the browser's sender origin, never a field of
// the message: a page may connect the extension only to the server at its own origin (and only to
// the organisation's server where a policy fixes it), and may start a guide only when the
// extension is signed in to that same server. The token never leaves the worker.
import { logError, messageOf } from '../shared/errors';
import {
  isTopFrameOfTab,
  parseExternal,
  senderOrigin,
  type ConnectReply,
  type ExternalRequest,
  type ExternalSender,
  type Failure,
  type PingReply,
  type StartGuideReply,
} from '../shared/external';
import type { WorkflowDetail } from '../shared/types';
import { popupPageUrl, webUrl } from '../shared/urls';
import { ApiError, call, getAuth, normalizeServerUrl, signInWithCode } from './api.background';
import { managedConfig, serverConfig } from './server-config.background';
import { startRun } from './walkthrough.background';

/** The reply, and what to do once the page has it (a navigation of the sender's tab ends the page). */
export interface ExternalAnswer {
  reply: PingReply | ConnectReply | StartGuideReply;
  afterReply?: () => Promise<void>;
}

const fail = (error: Failure['error'], message: string): Failure => ({ ok: false, error, message });

export interface Accepted {
  req: ExternalRequest;
  origin: string;
  sender: ExternalSender;
}

/**
 * Decided at once (the listener must say synchronously whether it answers): one of our messages
 * from a web page, a connect or a guide only from the top frame of a tab; null: no answer at all.
 */
export function acceptExternal(msg: unknown, sender: ExternalSender): Accepted | null {
  const req = parseExternal(msg);
  const origin = senderOrigin(sender);
  if (!req || !origin) return null;
  if (req.type !== 'stepwise/ping' && !isTopFrameOfTab(sender)) return null;
  return { req, origin, sender };
}

export async function answerExternal({ req, origin, sender }: Accepted): Promise<ExternalAnswer> {
  switch (req.type) {
    case 'stepwise/ping':
      return { reply: await ping(origin) };
    case 'stepwise/connect':
      return { reply: await connect(origin, req.server_url, req.code) };
    case 'stepwise/start-guide':
      return startGuide(origin, sender.tab!.id!, req.workflow_id);
  }
}

async function ping(origin: string): Promise<PingReply> {
  const auth = await getAuth();
  const config = await serverConfig();
  return {
    installed: true,
    version: chrome.runtime.getManifest().version,
    signed_in: auth !== null,
    server_url: auth?.serverUrl ?? config.serverUrl,
    user: auth && auth.serverUrl === origin ? { name: auth.user.name, email: auth.user.email } : null,
  };
}

async function connect(origin: string, serverUrl: string, code: string): Promise<ConnectReply> {
  let base: string;
  try {
    base = normalizeServerUrl(serverUrl);
  } catch {
    return fail('not_allowed', 'The server address is not an http(s) address.');
  }
  if (base !== origin) return fail('not_allowed', 'A page may connect the extension only to its own server.');
  const { serverUrl: fixed } = await managedConfig();
  if (fixed && fixed !== base) return fail('managed', `Your organisation set the extension to use ${fixed}.`);
  try {
    const signedIn = await signInWithCode(base, code);
    return { ok: true, user: { name: signedIn.user.name, email: signedIn.user.email } };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return fail('invalid_code', 'The code has expired or was used already. Try again.');
    await logError('external:connect', e);
    return fail('failed', messageOf(e));
  }
}

async function startGuide(origin: string, tabId: number, workflowId: number): Promise<ExternalAnswer> {
  const auth = await getAuth();
  const { serverUrl: fixed } = await managedConfig();
  if (!auth || auth.serverUrl !== origin || (fixed && fixed !== auth.serverUrl)) {
    return { reply: fail('not_connected', 'The extension is not signed in to this server. Connect it first.') };
  }
  let detail: WorkflowDetail;
  try {
    detail = (await call<WorkflowDetail>('GET', `/api/workflows/${workflowId}`)).data;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return { reply: fail('not_found', 'There is no such guide in your company.') };
    if (e instanceof ApiError && e.status === 401) return { reply: fail('not_connected', 'The extension was signed out. Connect it again.') };
    await logError('external:start-guide', e);
    return { reply: fail('failed', messageOf(e)) };
  }
  if (detail.status !== 'active') return { reply: fail('not_published', 'This guide is not published.') };
  if (!detail.steps.length || !webUrl(detail.starting_url)) return { reply: fail('failed', 'This guide cannot be started (no steps, or no web page to start on).') };
  // Guiding needs the content script on the app's pages: access to websites, which only a click in
  // the extension's own page can grant (a web page's click does not count as one).
  const hasAccess = await chrome.permissions.contains({ origins: ['<all_urls>'] });
  const workflow = { id: detail.id, name: detail.name };
  return {
    reply: { ok: true, workflow, needs_access: !hasAccess },
    afterReply: async () => {
      if (hasAccess) await startRun({ type: 'walkthrough/start', tabId, workflowId: detail.id });
      else {
        const page = popupPageUrl({ tab: tabId, start: detail.id });
        await chrome.tabs.update(tabId, { url: page, active: true });
      }
    },
  };
}
