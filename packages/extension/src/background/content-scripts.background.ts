// The content script runs only while it has work: registered (for every page the recording or
// walkthrough tab loads, across navigations, in every frame: apps live in iframe shells) when a
// recording or walkthrough starts, injected into the tab's frames at once, and unregistered when
// neither is running. A page that gets the guide launcher has it injected into its top frame
// (launcher.background.ts).
import { logError } from '../shared/errors';
import type { FrameRequest, FrameResponseMap } from '../shared/messages';

const ID = 'stepwise-content';

export async function ensureContentScripts(): Promise<void> {
  try {
    const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [ID] });
    // A registration kept from an earlier version (top frame only) is brought up to date.
    if (existing.length && existing[0]!.allFrames) return;
    if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [ID] });
    await chrome.scripting.registerContentScripts([
      { id: ID, matches: ['<all_urls>'], js: ['content.js'], runAt: 'document_end', allFrames: true, persistAcrossSessions: true },
    ]);
  } catch (e) {
    // Without host access (only activeTab) the tab still gets the script injected below.
    await logError('content-scripts', e);
  }
}

/** Whether the script is registered for every page now (a recording or walkthrough runs). */
export async function contentScriptsRegistered(): Promise<boolean> {
  try {
    return (await chrome.scripting.getRegisteredContentScripts({ ids: [ID] })).length > 0;
  } catch {
    return false;
  }
}

export async function removeContentScripts(): Promise<void> {
  try {
    const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [ID] });
    if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [ID] });
  } catch (e) {
    await logError('content-scripts', e);
  }
}

/** Runs the content script in every frame of a tab that is already loaded (it ignores a second injection). */
export async function injectInto(tabId: number): Promise<void> {
  try {
    await chrome.scripting.executeScript({ target: { tabId, allFrames: true }, files: ['content.js'] });
  } catch (e) {
    // A frame we may not script (host access covers the top frame only, say): the top frame still runs.
    await logError('content-scripts', e);
    await chrome.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: ['content.js'] });
  }
}

/** Sends to every frame of the tab that runs our content script. */
export function pushTo(tabId: number, msg: unknown): void {
  chrome.tabs.sendMessage(tabId, msg).catch(() => {
    /* no content script there (yet): it asks for its state when it starts */
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks one frame's content script; null when it does not answer. A frame that is still loading
 * has no listener yet: asked again a few times.
 */
export async function askFrame<T extends FrameRequest['type']>(tabId: number, frameId: number, msg: Extract<FrameRequest, { type: T }>, attempts = 4): Promise<FrameResponseMap[T] | null> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const res = (await chrome.tabs.sendMessage(tabId, msg, { frameId })) as FrameResponseMap[T] | undefined;
      if (res) return res;
    } catch {
      /* no receiver yet */
    }
    if (attempt < attempts - 1) await sleep(100 * 2 ** attempt);
  }
  return null;
}
