// The content script: runs in the extension's isolated world of every frame of a tab, asks the
// service worker what this tab is doing (recording, a walkthrough, nothing) and starts that
// feature with an AbortSignal that ends it. It listens to no window messages: nothing the page
// sends can reach the extension. The token never comes here. Which frame it runs in is the
// browser's sender.frameId, known to the worker; the recording control shows in the top frame.
import { urlShape } from '@stepwise/guide-core';
import { isFromExtension, send, type HelloResponse, type Push } from '../shared/messages';
import type { CapturedStep } from '../shared/types';
import { RecordingControl } from './control.content';
import { indexPath, listenForFrameRequests } from './frame.content';
import { initLauncher } from './launcher.content';
import { initRecorder } from './recorder.content';
import { shadowRootOf } from './shadow.content';
import { initWalkthrough } from './walkthrough.content';

declare global {
  var __stepwiseBoot: (() => void) | undefined;
}

let feature: AbortController | null = null;

function reportError(module: string, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  void send({ type: 'content/error', module, message }).catch(() => {});
}

/** Sends with a few retries: the worker may be restarting (a stopped worker is started by the message). */
async function sendStep(step: CapturedStep, onCount: (n: number) => void): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // Where this frame sits (re-read per step: the page may add frames before it).
      const frame = window.top === window ? undefined : { indexPath: indexPath() };
      const res = await send({ type: 'content/step', step, frame });
      onCount(res.stepCount);
      return;
    } catch (e) {
      if (attempt === 4) reportError('recorder', e);
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

function startRecording(hello: Extract<HelloResponse, { mode: 'recording' }>, signal: AbortSignal): void {
  const top = window.top === window;
  // One control per tab, in the top frame; a child frame records without one.
  const control = top
    ? new RecordingControl({
        onPause: () => void send({ type: 'content/control', action: 'pause' }).catch((e) => reportError('control', e)),
        onResume: () => void send({ type: 'content/control', action: 'resume' }).catch((e) => reportError('control', e)),
        onStop: () => void send({ type: 'content/control', action: 'stop' }).catch((e) => reportError('control', e)),
      })
    : null;
  signal.addEventListener('abort', () => control?.destroy(), { once: true });
  let count = hello.stepCount;
  let paused = hello.paused;
  control?.update(count, paused);
  const recorder = initRecorder(
    window,
    {
      paused,
      recordNavigation: hello.recordNavigation,
      topFrame: top,
      shadowRoot: shadowRootOf,
      isOurs: (t) => !!control && t === control.host,
      emit: (step) => {
        // Shown at once; the worker's answer corrects it.
        count += 1;
        control?.update(count, paused);
        void sendStep(step, (n) => {
          count = n;
          control?.update(count, paused);
        });
      },
      emitOutcome: (clientId, outcome) => void send({ type: 'content/outcome', clientId, outcome }).catch(() => {}),
    },
    signal,
  );
  chrome.runtime.onMessage.addListener(function onPush(msg: Push, sender) {
    if (signal.aborted) {
      chrome.runtime.onMessage.removeListener(onPush);
      return;
    }
    if (!isFromExtension(sender, chrome.runtime.id)) return;
    if (msg.type === 'push/recording') {
      paused = msg.paused;
      count = msg.stepCount;
      recorder.setPaused(paused);
      control?.update(count, paused);
    } else if (msg.type === 'push/recording-ended') {
      feature?.abort();
      feature = null;
      if (top) void boot(); // the page may have a guide launcher
    }
  });
}

async function boot(): Promise<void> {
  feature?.abort();
  feature = null;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  let hello: HelloResponse | null = null;
  // The worker may be stopping just now (the message is then lost): ask again.
  for (let attempt = 0; attempt < 6 && !hello; attempt++) {
    try {
      hello = await send({ type: 'content/hello', url: location.href, urlShape: urlShape(location.href), navigationType: nav?.type ?? 'navigate' });
    } catch (e) {
      if (attempt === 5) {
        reportError('boot', e);
        return;
      }
      await new Promise((r) => setTimeout(r, 150 * 2 ** attempt));
    }
  }
  if (!hello) return;
  if (hello.mode === 'idle') {
    // Nothing runs in this tab: the top frame shows the guide launcher when its site has guides
    // and the company has it on (the worker says which).
    if (window.top === window) {
      const ctl = new AbortController();
      feature = ctl;
      void initLauncher(ctl.signal).catch((e) => reportError('launcher', e));
    }
    return;
  }
  const ctl = new AbortController();
  feature = ctl;
  if (hello.mode === 'recording') startRecording(hello, ctl.signal);
  else {
    const walk = initWalkthrough(hello.run, ctl.signal, { frameId: hello.frameId, active: hello.active });
    chrome.runtime.onMessage.addListener(function onPush(msg: Push, sender) {
      if (ctl.signal.aborted) {
        chrome.runtime.onMessage.removeListener(onPush);
        return;
      }
      if (!isFromExtension(sender, chrome.runtime.id)) return;
      if (msg.type === 'push/walkthrough-ended') {
        ctl.abort();
        if (feature === ctl) feature = null;
        if (window.top === window) void boot(); // the guide launcher comes back
      } else if (msg.type === 'push/walk-show') walk.apply(msg.active);
    });
  }
}

// Injected twice (registered script plus executeScript into an open tab): boot once, re-ask on
// the second injection.
if (globalThis.__stepwiseBoot) globalThis.__stepwiseBoot();
else {
  globalThis.__stepwiseBoot = () => void boot();
  listenForFrameRequests();
  void boot();
}
