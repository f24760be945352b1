// The dashboard's side of the extension's page protocol (packages/extension/src/shared/external.ts,
// whose shapes are copied here): chrome.runtime.sendMessage to the extension's fixed id, which
// Chrome allows only from the pages its manifest lists (externally_connectable). No answer means no
// extension: not installed, disabled, or not letting this origin talk to it. Every answer is read
// field by field, never trusted as it came.

/** Fixed by the manifest's `key`, in every build (unpacked, the server's zip, the store). */
export const EXTENSION_ID = 'mjbjapkbokledfpmbiomgedmlngbdmbh';

export interface ExtensionPing {
  version: string;
  signedIn: boolean;
  serverUrl: string;
  /** Who is signed in, when it is this server (the extension tells no other). */
  user: { name: string; email: string } | null;
}

export type BridgeError = 'not_allowed' | 'managed' | 'invalid_code' | 'not_connected' | 'not_found' | 'not_published' | 'failed' | 'no_extension';
export type Failure = { ok: false; error: BridgeError; message: string };
export type ConnectResult = { ok: true; user: { name: string; email: string } } | Failure;
export type StartGuideResult = { ok: true; workflow: { id: number; name: string }; needsAccess: boolean } | Failure;

interface Runtime {
  sendMessage(extensionId: string, message: unknown, callback: (reply: unknown) => void): void;
  lastError?: { message?: string };
}

function runtime(): Runtime | null {
  const rt = (globalThis as { chrome?: { runtime?: Partial<Runtime> } }).chrome?.runtime;
  return typeof rt?.sendMessage === 'function' ? (rt as Runtime) : null;
}

/** One message to the extension; null when nothing answers in time. */
function ask(message: unknown, timeoutMs: number): Promise<unknown> {
  const rt = runtime();
  if (!rt) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    try {
      rt.sendMessage(EXTENSION_ID, message, (reply) => {
        clearTimeout(timer);
        // Read so that Chrome does not log it: "Receiving end does not exist" is the plain answer of
        // a browser without the extension.
        const failed = rt.lastError !== undefined && rt.lastError !== null;
        resolve(failed ? null : (reply ?? null));
      });
    } catch {
      clearTimeout(timer);
      resolve(null);
    }
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown, max = 500): string | null => (typeof v === 'string' ? v.slice(0, max) : null);
const ERRORS: readonly BridgeError[] = ['not_allowed', 'managed', 'invalid_code', 'not_connected', 'not_found', 'not_published', 'failed'];

function person(v: unknown): { name: string; email: string } | null {
  if (!isObject(v)) return null;
  const name = str(v.name, 200);
  const email = str(v.email, 320);
  return name !== null && email !== null ? { name, email } : null;
}

function failure(v: Record<string, unknown>): Failure {
  const error = ERRORS.find((e) => e === v.error) ?? 'failed';
  return { ok: false, error, message: str(v.message) ?? 'The extension could not do it.' };
}

const noExtension: Failure = { ok: false, error: 'no_extension', message: 'The Stepwise extension did not answer. Is it installed in this browser?' };

export function readPing(v: unknown): ExtensionPing | null {
  if (!isObject(v) || v.installed !== true) return null;
  return {
    version: str(v.version, 40) ?? '',
    signedIn: v.signed_in === true,
    serverUrl: str(v.server_url, 2048) ?? '',
    user: person(v.user),
  };
}

export function readConnect(v: unknown): ConnectResult {
  if (!isObject(v)) return noExtension;
  if (v.ok === true) {
    const user = person(v.user);
    return user ? { ok: true, user } : failure({});
  }
  return failure(v);
}

export function readStartGuide(v: unknown): StartGuideResult {
  if (!isObject(v)) return noExtension;
  if (v.ok === true && isObject(v.workflow) && typeof v.workflow.id === 'number') {
    return { ok: true, workflow: { id: v.workflow.id, name: str(v.workflow.name, 200) ?? '' }, needsAccess: v.needs_access === true };
  }
  return failure(v);
}

/** Is the extension here, and signed in to whom? null: not installed (or not answering). */
export async function pingExtension(timeoutMs = 3000): Promise<ExtensionPing | null> {
  return readPing(await ask({ type: 'stepwise/ping' }, timeoutMs));
}

/**
 * Hands the extension a one-time code made for the signed-in user; the extension exchanges it at
 * `serverUrl` (which must be this page's origin) for a token of its own.
 */
export async function connectExtension(serverUrl: string, code: string): Promise<ConnectResult> {
  return readConnect(await ask({ type: 'stepwise/connect', server_url: serverUrl, code }, 30_000));
}

/** Asks the extension to open the workflow's start page in this tab and guide the user there. */
export async function startGuideInExtension(workflowId: number): Promise<StartGuideResult> {
  return readStartGuide(await ask({ type: 'stepwise/start-guide', workflow_id: workflowId }, 30_000));
}

/** The share link of a published workflow: only its id travels. */
export function guideLink(workflowId: number, origin = window.location.origin): string {
  return `${origin}/guide/${workflowId}`;
}
