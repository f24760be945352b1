import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableStatus } from './backoff';
import { appendError } from './errors';
import { isContentRequest, isFromContent, isFromPopup, isPopupRequest } from './messages';

const ID = 'abcdefghijklmnopabcdefghijklmnop';

describe('backoff', () => {
  it('doubles up to the cap and never goes below half the ceiling', () => {
    expect(backoffMs(0, { random: () => 0 })).toBe(500);
    expect(backoffMs(0, { random: () => 1 })).toBe(1000);
    expect(backoffMs(3, { random: () => 0 })).toBe(4000);
    expect(backoffMs(30, { random: () => 1, maxMs: 60_000 })).toBe(60_000);
  });
  it('retries network failures, 408/425/429 and 5xx only', () => {
    expect([0, 408, 425, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('error log', () => {
  it('keeps the newest entries and folds a repeating error into one line', () => {
    let list = appendError([], { at: 1, module: 'upload', message: 'offline' });
    list = appendError(list, { at: 2, module: 'upload', message: 'offline' });
    expect(list).toEqual([{ at: 2, module: 'upload', message: 'offline' }]);
    for (let i = 0; i < 40; i++) list = appendError(list, { at: i, module: 'm', message: `e${i}` }, 30);
    expect(list).toHaveLength(30);
    expect(list[29]!.message).toBe('e39');
  });
});

describe('message senders', () => {
  it('accepts the popup only from our own popup page', () => {
    expect(isFromPopup({ id: ID, url: `chrome-extension://${ID}/popup.html?tab=3` }, ID)).toBe(true);
    expect(isFromPopup({ id: ID, url: `chrome-extension://${ID}/other.html` }, ID)).toBe(false);
    expect(isFromPopup({ id: 'someone-else', url: `chrome-extension://${ID}/popup.html` }, ID)).toBe(false);
    // A content script (page URL) can never pass for the popup.
    expect(isFromPopup({ id: ID, url: 'https://evil.test/popup.html', tab: { id: 4 }, frameId: 0 }, ID)).toBe(false);
  });
  it('accepts content requests only from our content script in a top frame', () => {
    expect(isFromContent({ id: ID, url: 'https://app.test/x', tab: { id: 4 }, frameId: 0 }, ID)).toBe(true);
    expect(isFromContent({ id: ID, url: 'https://app.test/x', tab: { id: 4 }, frameId: 2 }, ID)).toBe(false);
    expect(isFromContent({ id: 'other', url: 'https://app.test/x', tab: { id: 4 }, frameId: 0 }, ID)).toBe(false);
    expect(isFromContent({ id: ID, url: `chrome-extension://${ID}/popup.html`, tab: { id: 4 }, frameId: 0 }, ID)).toBe(false);
  });
  it('keeps the two vocabularies apart', () => {
    expect(isPopupRequest({ type: 'auth/sign-in' })).toBe(true);
    expect(isContentRequest({ type: 'auth/sign-in' })).toBe(false);
    expect(isContentRequest({ type: 'content/step' })).toBe(true);
    expect(isPopupRequest({ type: 'content/step' })).toBe(false);
    expect(isPopupRequest(null)).toBe(false);
    expect(isContentRequest('content/step')).toBe(false);
  });
});
