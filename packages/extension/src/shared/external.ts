// What a web page may ask the extension (manifest `externally_connectable`: the dashboard at the
// server's origin, and localhost for a development build). Apart from the internal protocol of
// messages.ts on purpose: these come from pages, so each is parsed field by field here and the
// service worker decides by the sender's origin, which the browser sets, never by what the
// message says. No answer ever carries the token. The dashboard keeps a copy of these shapes in
// packages/dashboard/src/lib/extension-bridge.ts.

export type ExternalRequest =
  /** Is the extension there, and signed in to which server? */
  | { type: 'stepwise/ping' }
  /** Sign in with a one-time code the dashboard at `server_url` made for its signed-in user. */
  | { type: 'stepwise/connect'; server_url: string; code: string }
  /** Open a published workflow's start page in the sender's tab and guide the user through it. */
  | { type: 'stepwise/start-guide'; workflow_id: number };

export type ExternalType = ExternalRequest['type'];

export interface PingReply {
  installed: true;
  version: string;
  signed_in: boolean;
  /** The server the extension is signed in to, or would sign in to. */
  server_url: string;
  /** Who is signed in: only told to the page of that same server. */
  user: { name: string; email: string } | null;
}

export type ExternalError =
  /** The page's origin is not the server it names (or the extension is set to another server). */
  | 'not_allowed'
  /** The organisation's policy fixes another server. */
  | 'managed'
  | 'invalid_code'
  /** Not signed in to the page's server. */
  | 'not_connected'
  | 'not_found'
  | 'not_published'
  | 'failed';

export type Failure = { ok: false; error: ExternalError; message: string };

export type ConnectReply = { ok: true; user: { name: string; email: string } } | Failure;

/**
 * `needs_access`: the extension has no access to websites yet, so the tab shows the extension's
 * own page where one click grants it and starts the guide.
 */
export type StartGuideReply = { ok: true; workflow: { id: number; name: string }; needs_access: boolean } | Failure;

export interface ExternalResponseMap {
  'stepwise/ping': PingReply;
  'stepwise/connect': ConnectReply;
  'stepwise/start-guide': StartGuideReply;
}

/** One-time codes are 43 URL-safe base64 characters (32 random bytes); a little room either way. */
const CODE = /^[A-Za-z0-9_-]{16,128}$/;
const MAX_URL = 2048;

/** A page's message as one of ours, or null (anything else is ignored, unanswered). */
export function parseExternal(msg: unknown): ExternalRequest | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'stepwise/ping':
      return { type: 'stepwise/ping' };
    case 'stepwise/connect':
      if (typeof m.server_url !== 'string' || m.server_url.length > MAX_URL) return null;
      if (typeof m.code !== 'string' || !CODE.test(m.code)) return null;
      return { type: 'stepwise/connect', server_url: m.server_url, code: m.code };
    case 'stepwise/start-guide':
      if (typeof m.workflow_id !== 'number' || !Number.isSafeInteger(m.workflow_id) || m.workflow_id < 1) return null;
      return { type: 'stepwise/start-guide', workflow_id: m.workflow_id };
    default:
      return null;
  }
}

export interface ExternalSender {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number };
  frameId?: number;
}

/**
 * The http(s) origin of the page that sent a message, as the browser tells it (`sender.origin`,
 * else the origin of `sender.url`); null for anything else (another extension, a file, opaque).
 */
export function senderOrigin(sender: ExternalSender): string | null {
  const raw = sender.origin ?? sender.url;
  if (typeof raw !== 'string') return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** The top frame of a tab: where the dashboard runs (it may not be framed), and a tab to guide in. */
export function isTopFrameOfTab(sender: ExternalSender): boolean {
  return typeof sender.tab?.id === 'number' && sender.tab.id >= 0 && sender.frameId === 0;
}
