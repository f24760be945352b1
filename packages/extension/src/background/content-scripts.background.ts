// The content script runs only while it has work: registered (for every page the recording or
// walkthrough tab loads, across navigations) when a recording or walkthrough starts, injected
// into the tab at once, and unregistered when neither is running.
import { logError } from '../shared/errors';

const ID = 'stepwise-content';

export async function ensureContentScripts(): Promise<void> {
  try {
    const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [ID] });
    if (existing.length) return;
    await chrome.scripting.registerContentScripts([
      { id: ID, matches: ['<all_urls>'], js: ['content.js'], runAt: 'document_end', allFrames: false, persistAcrossSessions: true },
    ]);
  } catch (e) {
    // Without host access (only activeTab) the tab still gets the script injected below.
    await logError('content-scripts', e);
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

/** Runs the content script in a tab that is already loaded (it ignores a second injection). */
export async function injectInto(tabId: number): Promise<void> {
  await chrome.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: ['content.js'] });
}

export function pushTo(tabId: number, msg: unknown): void {
  chrome.tabs.sendMessage(tabId, msg, { frameId: 0 }).catch(() => {
    /* no content script there (yet): it asks for its state when it starts */
  });
}
