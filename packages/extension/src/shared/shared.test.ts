import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableStatus } from './backoff';
import { appendError } from './errors';
import { isContentRequest, isFrameRequest, isFromContent, isFromExtension, isFromPopup, isPopupRequest } from './messages';
import type { SelectorVariantWire } from './types';
import { planVariants } from './variants';
import { outcomeOf } from './run';

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
  it('accepts content requests from our content script in any frame of a tab, and nothing else', () => {
    expect(isFromContent({ id: ID, url: 'https://app.test/x', tab: { id: 4 }, frameId: 0 }, ID)).toBe(true);
    expect(isFromContent({ id: ID, url: 'https://partner.test/widget', tab: { id: 4 }, frameId: 2 }, ID)).toBe(true);
    expect(isFromContent({ id: 'other', url: 'https://app.test/x', tab: { id: 4 }, frameId: 0 }, ID)).toBe(false);
    expect(isFromContent({ id: ID, url: `chrome-extension://${ID}/popup.html`, tab: { id: 4 }, frameId: 0 }, ID)).toBe(false);
    // Our page framed in a tab is still our page; a frame id the browser did not give is refused.
    expect(isFromContent({ id: ID, url: `chrome-extension://${ID}/popup.html`, tab: { id: 4 }, frameId: 3 }, ID)).toBe(false);
    expect(isFromContent({ id: ID, url: 'https://app.test/x', tab: { id: 4 } }, ID)).toBe(false);
    expect(isFromContent({ id: ID, url: 'https://app.test/x', tab: { id: 4 }, frameId: -1 }, ID)).toBe(false);
    expect(isFromContent({ id: ID, url: 'https://app.test/x', frameId: 0 }, ID)).toBe(false);
  });
  it('a content script takes pushes and questions only from the extension itself, never from a tab', () => {
    expect(isFromExtension({ id: ID }, ID)).toBe(true);
    expect(isFromExtension({ id: ID, tab: { id: 4 }, frameId: 1, url: 'https://app.test/x' }, ID)).toBe(false);
    expect(isFromExtension({ id: 'other' }, ID)).toBe(false);
    expect(isFrameRequest({ type: 'frame/child-selector', index: 0, url: 'https://app.test/f' })).toBe(true);
    expect(isFrameRequest({ type: 'walk/show' })).toBe(false);
    expect(isContentRequest({ type: 'frame/index' })).toBe(false);
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

describe('selector variants a walkthrough may use', () => {
  const recorded = { primary: '#save', css: '#save', xpath: null, data_testid: null, stable_attrs: null };
  const variant = (over: Partial<SelectorVariantWire>): SelectorVariantWire => ({
    id: 1,
    source: 'healed',
    status: 'shared',
    preferred: false,
    selectors: { primary: 'button.save' },
    element_meta: null,
    method: 'deterministic',
    confidence: 0.9,
    page_state_hash: 'sha256:b',
    created_at: null,
    created_by: null,
    votes: [],
    ...over,
  });
  const rec = variant({ id: null, source: 'recorded', method: 'recorded', selectors: recorded, page_state_hash: 'sha256:a' });
  const me = { id: 7, role: 'regular' as const };

  it('keeps the recorded selectors and prefers the variant confirmed for this page state', () => {
    const healedB = variant({ id: 2, selectors: { primary: '.b-save' }, page_state_hash: 'sha256:b' });
    const healedC = variant({ id: 3, selectors: { primary: '.c-save' }, page_state_hash: 'sha256:c' });
    const onA = planVariants({ selectors: recorded, selector_variants: [rec, healedB, healedC] }, me, 'sha256:a');
    expect(onA.variants.map((v) => v.selectors.primary)).toEqual(['#save', '.b-save', '.c-save']);
    const onC = planVariants({ selectors: recorded, selector_variants: [rec, healedB, healedC] }, me, 'sha256:c');
    expect(onC.variants.map((v) => v.selectors.primary)).toEqual(['.c-save', '#save', '.b-save']);
  });

  it('puts the preferred variant before the recorded one', () => {
    const preferred = variant({ id: 2, preferred: true, selectors: { primary: '.pref' }, page_state_hash: null });
    const plan = planVariants({ selectors: recorded, selector_variants: [rec, preferred] }, me, 'sha256:z');
    expect(plan.variants.map((v) => v.selectors.primary)).toEqual(['.pref', '#save']);
  });

  it("trusts a pending variant only for who confirmed it; others are asked about it; rejected ones never", () => {
    const vote = { user_id: 7, user_name: 'Me', vote: 'confirm' as const, how: 'acted' as const, admin: false, page_state_hash: 'sha256:b', created_at: '2026-12-07T00:00:00Z' };
    const mine = variant({ id: 2, status: 'pending', selectors: { primary: '.mine' }, votes: [vote] });
    const theirs = variant({ id: 3, status: 'pending', selectors: { primary: '.theirs' }, votes: [{ ...vote, user_id: 8 }] });
    const gone = variant({ id: 4, status: 'rejected', selectors: { primary: '.gone' } });
    const plan = planVariants({ selectors: recorded, selector_variants: [rec, mine, theirs, gone] }, me, 'sha256:x');
    expect(plan.variants.map((v) => v.selectors.primary)).toEqual(['#save', '.mine']);
    expect(plan.suggestions.map((v) => v.selectors.primary)).toEqual(['.theirs']);
    expect(plan.rejected).toEqual(['.gone']);
    const other = planVariants({ selectors: recorded, selector_variants: [rec, mine, theirs] }, { id: 8, role: 'regular' }, 'sha256:x');
    expect(other.variants.map((v) => v.selectors.primary)).toEqual(['#save', '.theirs']);
    expect(other.suggestions.map((v) => v.selectors.primary)).toEqual(['.mine']);
  });

  it("never proposes again what this user refused on this page state", () => {
    const no = { user_id: 7, user_name: 'Me', vote: 'reject' as const, how: 'asked' as const, admin: false, page_state_hash: 'sha256:x', created_at: '2026-12-07T00:00:00Z' };
    const v = variant({ id: 2, status: 'pending', selectors: { primary: '.nope' }, votes: [no] });
    expect(planVariants({ selectors: recorded, selector_variants: [rec, v] }, me, 'sha256:x').rejected).toEqual(['.nope']);
    expect(planVariants({ selectors: recorded, selector_variants: [rec, v] }, me, 'sha256:y').suggestions).toHaveLength(1);
  });

  it('falls back to the step selectors on an older server', () => {
    expect(planVariants({ selectors: recorded }, null, '').variants).toEqual([{ selectors: recorded, element_meta: null }]);
  });
});

describe('how a run that reached its end went', () => {
  it('is completed with skips when a step was skipped, a success otherwise', () => {
    expect(outcomeOf({ results: ['success', 'healed', 'success'] })).toBe('success');
    expect(outcomeOf({ results: ['success', 'skipped', 'success'] })).toBe('completed_with_skips');
  });
});
