// The one message protocol between popup, content script and service worker: a discriminated
// union per sender, each request type mapped to its response type, handled through a handler
// map in the service worker (Bitwarden's pattern). Every sender is checked (isFromPopup /
// isFromContent); no window message is listened to. Web pages reach the worker only through
// externally_connectable, with their own three messages parsed in external.ts.
import type { AutoHealDecision, CapturedStep, CheckSession, ErrorEntry, ExpectedOutcomeWire, HealCandidateWire, HealVoteResult, RecordingView, RunOutcome, RunState, StepResult, Workflow } from './types';
import type { LauncherGuide } from './launcher';

export interface SignedIn {
  serverUrl: string;
  user: { id: number; email: string; name: string; role: 'admin' | 'regular' };
  company: { id: number; name: string } | null;
}

export interface PopupState {
  serverUrl: string;
  /** The organisation's policy set the server: the sign-in form shows it read-only. */
  serverLocked: boolean;
  /** The organisation's name for the sign-in form (policy `company_hint`). */
  companyHint: string | null;
  auth: SignedIn | null;
  /** The recording in progress, or the newest one still waiting for its upload. */
  recording: RecordingView | null;
  pending: RecordingView[];
  walkthrough: { workflowName: string; index: number; total: number; tabId: number } | null;
  errors: ErrorEntry[];
}

export interface StepReport {
  status: 'success' | 'healed_deterministic' | 'healed_ai' | 'failed' | 'skipped';
  result: StepResult;
  error_type?: 'element_not_found' | 'timeout' | 'navigation_error' | 'wrong_page' | 'user_abandoned' | null;
  error_message?: string | null;
  healing_confidence?: number | null;
  deterministic_score?: number | null;
  ai_confidence?: number | null;
  candidates_evaluated?: number | null;
  page_state_hash?: string | null;
  page_url?: string | null;
  execution_time_ms?: number | null;
}

/** A walkthrough user's answer about a candidate element (see the contract's voteHeal). */
export interface HealVote {
  vote: 'confirm' | 'reject';
  how: 'asked' | 'acted';
  selector: string;
  selectors: HealCandidateWire['selectors'];
  element_meta: HealCandidateWire['element_meta'];
  pageStateHash: string;
  pageUrl: string;
  score: number | null;
}

/** Requests the popup sends. */
export type PopupRequest =
  | { type: 'popup/state' }
  | { type: 'auth/sign-in'; serverUrl: string; email: string; password: string }
  | { type: 'auth/sign-out' }
  | { type: 'recording/start'; tabId: number; name: string; description: string }
  | { type: 'recording/pause' }
  | { type: 'recording/resume' }
  | { type: 'recording/stop' }
  | { type: 'recording/discard'; recordingId: string }
  | { type: 'upload/retry'; recordingId: string }
  | { type: 'guides/list'; tabId: number }
  /** A guide opened from a share link (popup.html?start=<id>): its name before it starts. */
  | { type: 'guides/get'; workflowId: number }
  | { type: 'walkthrough/start'; tabId: number; workflowId: number }
  | { type: 'walkthrough/stop' }
  | { type: 'errors/clear' }
  /**
   * An admin's "Save a session for checks": the worker reads the cookies and local storage of the
   * tab's top-frame origin and saves them on the server. `origin` is what the popup showed: the
   * worker saves nothing when the tab is on another origin by then.
   */
  | { type: 'check-session/save'; tabId: number; origin: string };

/** Requests a content script sends (its tab is taken from the sender, never from the message). */
export type ContentRequest =
  | { type: 'content/hello'; url: string; urlShape: string; navigationType: string }
  | { type: 'content/step'; step: CapturedStep; frame?: FrameSelf }
  | { type: 'content/outcome'; clientId: string; outcome: ExpectedOutcomeWire }
  | { type: 'content/control'; action: 'pause' | 'resume' | 'stop' }
  | { type: 'content/error'; module: string; message: string }
  /**
   * `value`: what the colleague committed at a step a later step looks for (kept in the session,
   * never reported); null: forget it (the step was skipped).
   */
  | { type: 'walk/step-done'; runId: string; index: number; report: StepReport; next: number; value?: string | null }
  | { type: 'walk/go'; runId: string; index: number }
  | { type: 'walk/show'; runId: string; index: number }
  | { type: 'walk/heal'; runId: string; index: number; candidates: HealCandidateWire[]; pageStateHash: string; pageUrl: string; wait: boolean }
  | { type: 'walk/vote'; runId: string; index: number; vote: HealVote }
  | { type: 'walk/visual'; runId: string; index: number; rects: { x: number; y: number; width: number; height: number }[]; viewportWidth: number }
  | { type: 'walk/finish'; runId: string; outcome: RunOutcome; report?: StepReport; reported?: boolean }
  | { type: 'walk/open-start'; runId: string }
  | { type: 'walk/close'; runId: string }
  /** The guide launcher of the top frame: the guides it lists (null: no launcher on this page). */
  | { type: 'launcher/guides' }
  /** Starts one of those guides in the sender's tab, as the popup's walkthrough/start does. */
  | { type: 'launcher/start'; workflowId: number };

export type Request = PopupRequest | ContentRequest;
export type RequestType = Request['type'];
export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

export type HelloResponse =
  | { mode: 'idle' }
  | { mode: 'recording'; paused: boolean; stepCount: number; recordNavigation: boolean }
  | { mode: 'walkthrough'; run: RunState; frameId: number; active: WalkActive | null };

export interface ResponseMap {
  'popup/state': PopupState;
  'auth/sign-in': SignedIn;
  'auth/sign-out': null;
  'recording/start': RecordingView;
  'recording/pause': null;
  'recording/resume': null;
  'recording/stop': RecordingView | null;
  'recording/discard': null;
  'upload/retry': null;
  'guides/list': Workflow[];
  'guides/get': { id: number; name: string; starting_url: string };
  'walkthrough/start': null;
  'walkthrough/stop': null;
  'errors/clear': null;
  'check-session/save': CheckSessionSaved;
  'content/hello': HelloResponse;
  'content/step': { stored: boolean; stepCount: number };
  'content/outcome': null;
  'content/control': null;
  'content/error': null;
  'walk/step-done': null;
  'walk/go': null;
  'walk/show': WalkActive | null;
  'walk/heal': AutoHealDecision | null;
  'walk/vote': HealVoteResult | null;
  /** Visual similarity (0..1) of each rect to the recorded element; null where none could be had. */
  'walk/visual': (number | null)[] | null;
  'walk/finish': null;
  'walk/open-start': null;
  'walk/close': null;
  'launcher/guides': LauncherGuide[] | null;
  'launcher/start': null;
}

/**
 * What the popup learns of a saved session: the server's record (origin and counts; the session
 * itself is never sent back) and how many items were left out (over the contract's limits, or a
 * cookie of another domain).
 */
export interface CheckSessionSaved {
  session: CheckSession;
  leftOut: { cookies: number; localStorage: number };
}

/** Every reply is wrapped, so an error thrown in the worker reaches the caller as an Error. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

/** Pushed from the service worker to every frame of a tab. */
export type Push =
  | { type: 'push/recording'; paused: boolean; stepCount: number }
  | { type: 'push/recording-ended' }
  | { type: 'push/walkthrough-ended' }
  | { type: 'push/walk-show'; active: WalkActive };

/**
 * What a content script says about its own frame with a step: its index in each ancestor's
 * `window.frames`, outermost first (read from the browser's frame tree in the isolated world,
 * never from the page). Which frame sent the step is the sender's frameId, never this.
 */
export interface FrameSelf {
  indexPath: number[];
}

/**
 * Which frame of the tab runs a walkthrough step (the service worker decides, every frame
 * follows): `frameId` null while the step's frame is not on the page yet; `missing` when it did
 * not come (the top frame then says the element cannot be found).
 */
export interface WalkActive {
  runId: string;
  index: number;
  frameId: number | null;
  /** Increases with every decision; a frame ignores one older than what it has seen. */
  seq: number;
  /** The top document's `window.frames` index of the iframe that leads to `frameId` (null: top, unknown). */
  topIndex: number | null;
  /** The address (origin and path) of that iframe's document, when `topIndex` is unknown. */
  topUrl: string | null;
  missing: boolean;
  results: RunState['results'];
  finished: RunState['finished'];
  reported: boolean;
}

/** Questions the service worker asks one frame's content script (tabs.sendMessage with frameId). */
export type FrameRequest =
  /** Your index in your parent's `window.frames` (-1: not there, e.g. an iframe in a shadow root). */
  | { type: 'frame/index' }
  /** The selector of your child frame at `window.frames[index]` (or, index -1, the one showing `url`). */
  | { type: 'frame/child-selector'; index: number; url: string }
  /** The `window.frames` index of the one iframe `selector` selects here. */
  | { type: 'frame/resolve'; selector: string };

export interface FrameResponseMap {
  'frame/index': { index: number };
  'frame/child-selector': { selector: string | null };
  'frame/resolve': { index: number | null };
}

const FRAME_TYPES = new Set<string>(['frame/index', 'frame/child-selector', 'frame/resolve']);

export function isFrameRequest(msg: unknown): msg is FrameRequest {
  return typeof msg === 'object' && msg !== null && FRAME_TYPES.has(String((msg as { type?: unknown }).type));
}

const POPUP_TYPES = new Set<string>([
  'popup/state', 'auth/sign-in', 'auth/sign-out', 'recording/start', 'recording/pause', 'recording/resume',
  'recording/stop', 'recording/discard', 'upload/retry', 'guides/list', 'guides/get', 'walkthrough/start', 'walkthrough/stop', 'errors/clear',
  'check-session/save',
]);
const CONTENT_TYPES = new Set<string>([
  'content/hello', 'content/step', 'content/outcome', 'content/control', 'content/error',
  'walk/step-done', 'walk/go', 'walk/show', 'walk/heal', 'walk/vote', 'walk/visual', 'walk/finish', 'walk/open-start', 'walk/close',
  'launcher/guides', 'launcher/start',
]);

export function isPopupRequest(msg: unknown): msg is PopupRequest {
  return typeof msg === 'object' && msg !== null && POPUP_TYPES.has(String((msg as { type?: unknown }).type));
}
export function isContentRequest(msg: unknown): msg is ContentRequest {
  return typeof msg === 'object' && msg !== null && CONTENT_TYPES.has(String((msg as { type?: unknown }).type));
}

export interface SenderLike {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
  documentId?: string;
}

const ownPage = (sender: SenderLike, extensionId: string) =>
  typeof sender.url === 'string' && sender.url.startsWith(`chrome-extension://${extensionId}/`);

/** The popup is our own page (as a popup, or opened in a tab); no web page can have its URL. */
export function isFromPopup(sender: SenderLike, extensionId: string): boolean {
  return sender.id === extensionId && ownPage(sender, extensionId) && new URL(sender.url!).pathname === '/popup.html';
}

/**
 * Our content script in any frame of a tab (every frame runs its own recorder and walkthrough);
 * which frame is the browser's `frameId`, never something the message says.
 */
export function isFromContent(sender: SenderLike, extensionId: string): boolean {
  return (
    sender.id === extensionId &&
    !ownPage(sender, extensionId) &&
    typeof sender.tab?.id === 'number' &&
    typeof sender.frameId === 'number' &&
    Number.isInteger(sender.frameId) &&
    sender.frameId >= 0
  );
}

/** The service worker (or another extension page), as a content script sees it: never a tab. */
export function isFromExtension(sender: SenderLike, extensionId: string): boolean {
  return sender.id === extensionId && !sender.tab;
}

/** Sends a typed request to the service worker and unwraps the reply. */
export async function send<T extends RequestType>(msg: RequestOf<T>): Promise<ResponseMap[T]> {
  const reply = (await chrome.runtime.sendMessage(msg)) as Reply<ResponseMap[T]> | undefined;
  if (!reply) throw new Error(`No answer to ${msg.type}`);
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
