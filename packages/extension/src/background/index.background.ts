// The service worker. Every listener is registered synchronously at the top level (the worker
// may be started just to deliver one event); state lives in IndexedDB and chrome.storage, never
// in module globals that a restart would lose.
import { logError, messageOf, readErrors, clearErrors } from '../shared/errors';
import { isContentRequest, isFromContent, isFromPopup, isPopupRequest, type PopupState, type Reply, type Request, type RequestOf, type RequestType, type ResponseMap } from '../shared/messages';
import type { Workflow, WorkflowDetail } from '../shared/types';
import { call, publicAuth, signIn, signOutLocally } from './api.background';
import { saveCheckSession } from './check-session.background';
import { removeContentScripts } from './content-scripts.background';
import * as db from './db.background';
import { acceptExternal, answerExternal } from './external.background';
import { flushHealth } from './health.background';
import * as launcher from './launcher.background';
import * as recorder from './recorder.background';
import { assertServerAllowed, serverConfig } from './server-config.background';
import * as walk from './walkthrough.background';

interface Ctx {
  tabId: number;
  windowId: number | undefined;
  /** The sender's frame (the browser's id; 0 is the top frame, -1 the popup) and document. */
  frameId: number;
  documentId?: string;
}

type Handler<T extends RequestType> = (msg: RequestOf<T>, ctx: Ctx) => Promise<ResponseMap[T]>;
type Handlers = { [T in RequestType]: Handler<T> };

async function popupState(): Promise<PopupState> {
  const recs = await db.listRecordings();
  const active = await recorder.activeRecording();
  const pendingRecs = recs.filter((r) => r.id !== active?.id && r.status !== 'recording' && r.status !== 'paused');
  const pending = await Promise.all(pendingRecs.slice(-5).reverse().map((r) => recorder.view(r)));
  const run = await walk.getRun();
  const server = await serverConfig();
  return {
    serverUrl: server.serverUrl,
    serverLocked: server.locked,
    companyHint: server.companyHint,
    auth: await publicAuth(),
    recording: active ? await recorder.view(active) : null,
    pending,
    walkthrough: run && !run.finished ? { workflowName: run.workflow.name, index: run.index, total: run.steps.length, tabId: run.tabId } : null,
    errors: (await readErrors()).slice(0, 10),
  };
}

async function maybeRemoveContentScripts(): Promise<void> {
  const run = await walk.getRun();
  if (!run && !(await recorder.activeRecording())) await removeContentScripts();
}

const handlers: Handlers = {
  'popup/state': () => popupState(),
  'auth/sign-in': async (m) => signIn(await assertServerAllowed(m.serverUrl), m.email, m.password),
  'auth/sign-out': async () => {
    await signOutLocally();
    return null;
  },
  'recording/start': (m) => recorder.startRecording(m),
  'recording/pause': async () => {
    await recorder.setPaused(true);
    return null;
  },
  'recording/resume': async () => {
    await recorder.setPaused(false);
    return null;
  },
  'recording/stop': async () => {
    const v = await recorder.stopRecording();
    await maybeRemoveContentScripts();
    return v;
  },
  'recording/discard': async (m) => {
    const rec = await db.getRecording(m.recordingId);
    if (rec && rec.status !== 'recording' && rec.status !== 'paused' && rec.status !== 'uploading') {
      await db.deleteRecording(rec.id);
      await db.pruneScreenshots();
    }
    return null;
  },
  'upload/retry': async (m) => {
    await db.updateRecording(m.recordingId, (r) => {
      if (r.status === 'failed' || r.status === 'stopped') {
        r.status = 'stopped';
        r.nextAttemptAt = Date.now();
      }
    });
    void recorder.runUpload(m.recordingId);
    return null;
  },
  'guides/list': async (m) => {
    const tab = await chrome.tabs.get(m.tabId);
    if (!tab.url || !/^https?:/.test(tab.url)) return [];
    const origin = new URL(tab.url).origin;
    const res = await call<Workflow[]>('GET', '/api/workflows', { query: { origin, limit: 100, sort: 'name' } });
    return res.data.filter((w) => w.status === 'active');
  },
  'guides/get': async (m) => {
    const { data } = await call<WorkflowDetail>('GET', `/api/workflows/${m.workflowId}`);
    return { id: data.id, name: data.name, starting_url: data.starting_url };
  },
  'walkthrough/start': async (m) => {
    await walk.startRun(m);
    return null;
  },
  'walkthrough/stop': async () => {
    await walk.closeRun();
    await maybeRemoveContentScripts();
    return null;
  },
  'errors/clear': async () => {
    await clearErrors();
    return null;
  },
  'check-session/save': (m) => saveCheckSession(m.tabId, m.origin),
  'content/hello': async (m, ctx) => {
    const hello = await walk.runHello(ctx.tabId);
    if (hello) return { mode: 'walkthrough', run: hello.run, frameId: ctx.frameId, active: hello.active };
    return (await recorder.recordingHello(ctx.tabId, m, ctx.frameId)) ?? { mode: 'idle' };
  },
  'content/step': (m, ctx) => recorder.addStep(ctx, m.step, m.frame),
  'content/outcome': async (m, ctx) => {
    await recorder.patchOutcome(ctx.tabId, m.clientId, m.outcome);
    return null;
  },
  'content/control': async (m) => {
    if (m.action === 'stop') await handlers['recording/stop']({ type: 'recording/stop' }, { tabId: -1, windowId: undefined, frameId: -1 });
    else await recorder.setPaused(m.action === 'pause');
    return null;
  },
  'content/error': async (m) => {
    await logError(`content:${String(m.module).slice(0, 40)}`, String(m.message).slice(0, 500));
    return null;
  },
  'walk/step-done': async (m) => {
    await walk.stepDone(m);
    return null;
  },
  'walk/go': async (m) => {
    await walk.goTo(m);
    return null;
  },
  'walk/show': (m, ctx) => walk.show(ctx.tabId, m),
  'walk/heal': (m, ctx) => walk.heal(ctx.tabId, m),
  'walk/vote': (m, ctx) => walk.vote(ctx.tabId, m),
  'walk/visual': (m, ctx) => walk.visual(ctx.tabId, m),
  'walk/finish': async (m) => {
    await walk.finishRun(m.runId, m.outcome, m.report, m.reported ?? false);
    return null;
  },
  'walk/open-start': async (m) => {
    await walk.openStart(m.runId);
    return null;
  },
  'walk/close': async (m) => {
    await walk.closeRun(m.runId);
    await maybeRemoveContentScripts();
    return null;
  },
  'launcher/guides': (_m, ctx) => launcher.launcherFor(ctx.tabId, ctx.frameId),
  // Only a guide the page's launcher lists; then exactly what the popup's Start does, in the sender's tab.
  'launcher/start': async (m, ctx) => {
    await launcher.checkLaunch(ctx.tabId, ctx.frameId, m.workflowId);
    return handlers['walkthrough/start']({ type: 'walkthrough/start', tabId: ctx.tabId, workflowId: m.workflowId }, ctx);
  },
};

chrome.runtime.onMessage.addListener((msg: unknown, sender, sendResponse: (r: Reply<unknown>) => void) => {
  const id = chrome.runtime.id;
  let ctx: Ctx;
  if (isFromPopup(sender, id) && isPopupRequest(msg)) ctx = { tabId: -1, windowId: undefined, frameId: -1 };
  else if (isFromContent(sender, id) && isContentRequest(msg)) ctx = { tabId: sender.tab!.id!, windowId: sender.tab!.windowId, frameId: sender.frameId!, documentId: sender.documentId };
  else return false; // not ours, or a request this sender may not make: no answer
  const handler = handlers[(msg as Request).type] as (m: Request, c: Ctx) => Promise<unknown>;
  handler(msg as Request, ctx).then(
    (value) => sendResponse({ ok: true, value: value ?? null }),
    (e) => {
      void logError(`bg:${(msg as Request).type}`, e);
      sendResponse({ ok: false, error: messageOf(e) });
    },
  );
  return true; // answered asynchronously
});

// Web pages (the dashboard): see external.background.ts. A message not ours gets no answer.
chrome.runtime.onMessageExternal.addListener((msg: unknown, sender, sendResponse: (r: unknown) => void) => {
  const accepted = acceptExternal(msg, sender);
  if (!accepted) return false;
  answerExternal(accepted).then(
    (answer) => {
      sendResponse(answer.reply);
      void answer.afterReply?.().catch((e) => logError('external', e));
    },
    (e) => {
      void logError('external', e);
      sendResponse({ ok: false, error: 'failed', message: messageOf(e) });
    },
  );
  return true; // answered asynchronously
});

chrome.tabs.onCreated.addListener((tab) => {
  void recorder.adoptTab(tab).catch((e) => logError('tabs', e));
});

// A page loaded in a tab's top frame: it gets the guide launcher when its site has guides.
chrome.webNavigation.onDOMContentLoaded.addListener((details) => {
  void launcher.onPageLoaded(details).catch((e) => logError('launcher', e));
});

chrome.tabs.onRemoved.addListener((tabId) => {
  void walk.onTabRemoved(tabId).catch((e) => logError('tabs', e));
});

const RETRY_ALARM = 'stepwise-retry';

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name !== RETRY_ALARM) return;
  void recorder.resumeUploads().catch((e) => logError('upload', e));
  void flushHealth().catch((e) => logError('health', e));
});

chrome.runtime.onInstalled.addListener(() => {
  void chrome.alarms.create(RETRY_ALARM, { periodInMinutes: 1 });
});

chrome.runtime.onStartup.addListener(() => {
  void chrome.alarms.create(RETRY_ALARM, { periodInMinutes: 1 });
  void recorder.recoverAfterRestart().then(() => recorder.resumeUploads(true)).catch((e) => logError('startup', e));
});

self.addEventListener('unhandledrejection', (e) => {
  void logError('bg', (e as PromiseRejectionEvent).reason);
});
self.addEventListener('error', (e) => {
  void logError('bg', (e as ErrorEvent).message);
});

// A worker started for any reason picks up uploads that were waiting.
void recorder.resumeUploads().catch((e) => logError('upload', e));
