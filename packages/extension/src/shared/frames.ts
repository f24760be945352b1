// Frames, as the service worker sees them: which frame of a tab holds a walkthrough step, decided
// from the browser's frame tree (webNavigation: frame ids, parents, addresses) and the step's
// recorded `frame_path` / `frame_urls`. Pure, so it is tested without a browser.
import type { GuideStep } from './types';

export interface FrameNode {
  frameId: number;
  parentFrameId: number;
  url: string;
}

/** Origin and path of a frame's URL (query and fragment carry per-visit data); '' when it has none. */
export function frameAddress(url: string): string {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? '' : `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}

function originOf(url: string): string {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? '' : o;
  } catch {
    return '';
  }
}

/** The frames from the top frame's child down to `frameId` (empty for the top frame); null when it is not in the tree. */
export function chainOf(frames: readonly FrameNode[], frameId: number): FrameNode[] | null {
  if (frameId === 0) return [];
  const byId = new Map(frames.map((f) => [f.frameId, f]));
  const out: FrameNode[] = [];
  let cur = byId.get(frameId);
  for (let guard = 0; cur && cur.frameId !== 0 && guard < 32; guard++) {
    out.unshift(cur);
    cur = byId.get(cur.parentFrameId);
  }
  return cur && cur.frameId === 0 ? out : null;
}

export interface FrameCandidates {
  /** At the recorded depth with the recorded address at every level. */
  exact: FrameNode[][];
  /** At the recorded depth with the recorded origin at every level. */
  sameOrigin: FrameNode[][];
  /** At the recorded depth. */
  depth: FrameNode[][];
}

/** The tab's frames that could hold an element recorded `depth` frames down at `urls`. */
export function frameCandidates(frames: readonly FrameNode[], depth: number, urls: readonly string[] | null | undefined): FrameCandidates {
  const out: FrameCandidates = { exact: [], sameOrigin: [], depth: [] };
  if (depth <= 0) return out;
  const want = urls && urls.length === depth ? urls : null;
  for (const f of frames) {
    const chain = chainOf(frames, f.frameId);
    if (!chain || chain.length !== depth) continue;
    out.depth.push(chain);
    if (!want) continue;
    if (chain.every((c, i) => originOf(c.url) !== '' && originOf(c.url) === originOf(want[i]!))) out.sameOrigin.push(chain);
    if (chain.every((c, i) => frameAddress(c.url) !== '' && frameAddress(c.url) === frameAddress(want[i]!))) out.exact.push(chain);
  }
  return out;
}

export interface FramePick {
  chain: FrameNode[];
  how: 'address' | 'selector' | 'origin' | 'only';
}

/**
 * The frame for a step. The only frame at the recorded addresses; among several, the one the
 * recorded selectors select (`bySelector`, the frame id they lead to), else the first. When no
 * frame shows the recorded addresses, nothing yet while the page may still be loading them
 * (`settled` false); once settled, the frame the selectors select, else the only one of the
 * recorded origins, else the only one that deep (the app's frames changed their addresses).
 */
export function pickFrame(c: FrameCandidates, bySelector: number | null, settled: boolean): FramePick | null {
  const last = (chain: FrameNode[]) => chain[chain.length - 1]!.frameId;
  const selected = (list: FrameNode[][]) => (bySelector === null ? undefined : list.find((ch) => last(ch) === bySelector));
  if (c.exact.length === 1) return { chain: c.exact[0]!, how: 'address' };
  if (c.exact.length > 1) {
    const s = selected(c.exact);
    return s ? { chain: s, how: 'selector' } : { chain: c.exact[0]!, how: 'address' };
  }
  if (!settled) return null;
  const s = selected(c.depth);
  if (s) return { chain: s, how: 'selector' };
  if (c.sameOrigin.length === 1) return { chain: c.sameOrigin[0]!, how: 'origin' };
  if (c.depth.length === 1) return { chain: c.depth[0]!, how: 'only' };
  return null;
}

/** How many frames down the step's element was recorded (0: the top document). */
export function frameDepth(step: Pick<GuideStep, 'selectors'>): number {
  return step.selectors.frame_path?.length ?? 0;
}

type WithSelectors = { selectors: Record<string, unknown> };

function strip<T extends WithSelectors>(v: T): T {
  const { frame_path: _p, frame_urls: _u, frame_index: _i, ...rest } = v.selectors as Record<string, unknown>;
  return { ...v, selectors: rest as T['selectors'] };
}

/**
 * The step as the frame that holds it locates it: selectors (every variant's too) relative to
 * that frame's own document. The frame path leads from the top document to that frame; the
 * frame runs the step in its own document.
 */
export function inOwnFrame(step: GuideStep): GuideStep {
  if (!frameDepth(step) && !(step.selector_variants ?? []).some((v) => (v.selectors.frame_path ?? []).length)) return step;
  const out = strip(step as unknown as WithSelectors) as unknown as GuideStep;
  if (step.selector_variants) out.selector_variants = step.selector_variants.map((v) => strip(v as unknown as WithSelectors) as unknown as typeof v);
  return out;
}
