// The frames of a tab, as the service worker establishes them. Which frame is which, and where it
// is, comes from the browser: the sender's frameId and the frame tree of chrome.webNavigation
// (ids, parents, addresses). Only the selector of the iframe element that holds a frame comes
// from a content script, the one in that frame's parent (only that document can read it), found
// through the browser's `window.frames` order. Nothing here listens to the page.
import { chainOf, frameAddress, frameCandidates, pickFrame, type FrameNode } from '../shared/frames';
import type { GuideStep } from '../shared/types';
import { askFrame } from './content-scripts.background';

export async function framesOf(tabId: number): Promise<FrameNode[]> {
  const all = (await chrome.webNavigation.getAllFrames({ tabId })) ?? [];
  // A prerendered or cached document is not the one the user sees.
  return all
    .filter((f) => !f.documentLifecycle || f.documentLifecycle === 'active')
    .map((f) => ({ frameId: f.frameId, parentFrameId: f.parentFrameId, url: f.url }));
}

/**
 * Where a recorded element's frame is: its iframes' selectors and their documents' addresses, and
 * its index in each ancestor's `window.frames` (null when some level has none), outermost first.
 */
export interface FramePlace {
  frame_path: string[];
  frame_urls: string[];
  frame_index: number[] | null;
}

const MAX_SELECTOR = 1000;
const MAX_FRAME_INDEX = 1000;
/** A frame's place does not change while its document lives and the frames before it stay: one lookup each. */
const places = new Map<string, Promise<FramePlace | null>>();

/**
 * The place of frame `frameId` of `tabId`. `indexPath` is the frame's own account of its index
 * in each ancestor's `window.frames` (it picks the iframe element in each parent); `fallback` the
 * frame path the content script could read itself (same-origin ancestors), used for a level whose
 * parent does not answer.
 */
export function framePlace(tabId: number, frameId: number, documentId: string | undefined, indexPath: readonly number[], fallback?: readonly string[] | null): Promise<FramePlace | null> {
  if (frameId === 0) return Promise.resolve(null);
  const key = documentId ? `${tabId}:${documentId}:${indexPath.join(',')}` : null;
  const cached = key ? places.get(key) : undefined;
  if (cached) return cached;
  const p = computePlace(tabId, frameId, indexPath, fallback ?? null).catch(() => null);
  if (key) {
    places.set(key, p);
    if (places.size > 200) places.delete(places.keys().next().value!);
    void p.then((v) => {
      if (!v) places.delete(key);
    });
  }
  return p;
}

async function computePlace(tabId: number, frameId: number, indexPath: readonly number[], fallback: readonly string[] | null): Promise<FramePlace | null> {
  const chain = chainOf(await framesOf(tabId), frameId);
  if (!chain || !chain.length) return null;
  const aligned = indexPath.length === chain.length;
  const indexes = aligned ? indexPath : chain.map(() => -1);
  const frame_path = await Promise.all(
    chain.map(async (c, i) => {
      const res = await askFrame(tabId, c.parentFrameId, { type: 'frame/child-selector', index: indexes[i]!, url: c.url });
      const sel = res?.selector ?? (fallback && fallback.length === chain.length ? fallback[i] : null);
      // Nothing better known: any frame at this level (locate widens to the recorded address).
      return sel && sel.length <= MAX_SELECTOR ? sel : 'iframe';
    }),
  );
  // The DevTools Recorder's `frame`: known only when every level has its index (an iframe in a
  // shadow root is not in its parent's window.frames).
  const known = aligned && indexes.every((i) => Number.isInteger(i) && i >= 0 && i <= MAX_FRAME_INDEX);
  return { frame_path, frame_urls: chain.map((c) => (frameAddress(c.url) || c.url).slice(0, 2048)), frame_index: known ? [...indexes] : null };
}

/** The frame the recorded selectors lead to, level by level from the top frame; null when one does not lead anywhere. */
async function frameBySelectors(tabId: number, framePath: readonly string[], frames: readonly FrameNode[]): Promise<number | null> {
  let parent = 0;
  for (const selector of framePath) {
    const res = await askFrame(tabId, parent, { type: 'frame/resolve', selector }, 2);
    if (!res || res.index === null) return null;
    let next: number | null = null;
    for (const kid of frames.filter((f) => f.parentFrameId === parent)) {
      const r = await askFrame(tabId, kid.frameId, { type: 'frame/index' }, 1);
      if (r && r.index === res.index) {
        next = kid.frameId;
        break;
      }
    }
    if (next === null) return null;
    parent = next;
  }
  return parent;
}

export interface StepFrame {
  frameId: number;
  /** Index in the top document's `window.frames` of the iframe on the way (null: unknown). */
  topIndex: number | null;
  /** Address of that iframe's document. */
  topUrl: string | null;
  how: string;
}

/**
 * The frame that holds a walkthrough step's element now, or null (not loaded yet; or, once
 * `settled`, not there). See pickFrame for the order of evidence.
 */
export async function stepFrame(tabId: number, step: GuideStep, settled: boolean): Promise<StepFrame | null> {
  const framePath = step.selectors.frame_path ?? [];
  if (!framePath.length) return { frameId: 0, topIndex: null, topUrl: null, how: 'top' };
  const frames = await framesOf(tabId);
  const c = frameCandidates(frames, framePath.length, step.selectors.frame_urls);
  const ask = c.exact.length > 1 || (settled && !c.exact.length && c.depth.length > 0);
  const bySelector = ask ? await frameBySelectors(tabId, framePath, frames) : null;
  const pick = pickFrame(c, bySelector, settled);
  if (!pick) return null;
  const first = pick.chain[0]!;
  const index = (await askFrame(tabId, first.frameId, { type: 'frame/index' }, 2))?.index ?? -1;
  return { frameId: pick.chain[pick.chain.length - 1]!.frameId, topIndex: index >= 0 ? index : null, topUrl: frameAddress(first.url) || null, how: pick.how };
}
