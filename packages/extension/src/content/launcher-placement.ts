// Where the guide launcher sits: in a corner of the viewport that none of the page's own fixed
// controls (chat bubbles, cookie bars, floating action buttons) occupies. Pure, so it is tested
// without a browser; launcher.content.ts finds the boxes.
import type { Rect } from './placement';

export type Corner = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

/** The order corners are tried in: bottom-right is where people look for help. */
export const CORNERS: readonly Corner[] = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];

/** Distance from the viewport's edges. */
export const EDGE = 16;
/** Room kept between the launcher and a control of the page. */
export const CLEARANCE = 8;

export interface LauncherPlace {
  corner: Corner;
  /** The launcher's box in the viewport. */
  left: number;
  top: number;
  /** Distances from the corner's two edges (what the launcher is anchored by, so it grows inward). */
  offsetX: number;
  offsetY: number;
  /** False when every spot overlaps something (then the least covered corner is used). */
  free: boolean;
}

const overlap = (a: Rect, b: Rect) => Math.max(0, Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top));

const grow = (r: Rect, by: number): Rect => ({ left: r.left - by, top: r.top - by, width: r.width + 2 * by, height: r.height + 2 * by });

function place(corner: Corner, left: number, top: number, size: { width: number; height: number }, viewport: { width: number; height: number }, free: boolean): LauncherPlace {
  const right = corner.endsWith('right');
  const bottom = corner.startsWith('bottom');
  return {
    corner,
    left,
    top,
    offsetX: right ? viewport.width - left - size.width : left,
    offsetY: bottom ? viewport.height - top - size.height : top,
    free,
  };
}

/**
 * The spot for a launcher of `size`: the first corner (CORNERS order) whose spot, EDGE from the
 * edges, keeps CLEARANCE from every obstacle; when none is free, the nearest free spot slid along
 * a corner's edges past the obstacles there (above a cookie bar, beside a bubble); when there is
 * none at all, the corner whose spot is least covered.
 */
export function placeLauncher(viewport: { width: number; height: number }, size: { width: number; height: number }, obstacles: readonly Rect[]): LauncherPlace {
  const boxes = obstacles.filter((o) => o.width > 0 && o.height > 0).map((o) => grow(o, CLEARANCE));
  const covered = (r: Rect) => boxes.reduce((sum, b) => sum + overlap(r, b), 0);
  const fits = (left: number, top: number) => left >= 0 && top >= 0 && left + size.width <= viewport.width && top + size.height <= viewport.height;
  const base = (corner: Corner) => ({
    left: corner.endsWith('right') ? viewport.width - EDGE - size.width : EDGE,
    top: corner.startsWith('bottom') ? viewport.height - EDGE - size.height : EDGE,
  });

  for (const corner of CORNERS) {
    const b = base(corner);
    if (covered({ ...b, ...size }) === 0) return place(corner, b.left, b.top, size, viewport, true);
  }

  // Slide: from each corner, the spots just past each obstacle inward (in x, in y, or both).
  let best: { corner: Corner; left: number; top: number; cost: number } | null = null;
  for (const corner of CORNERS) {
    const b = base(corner);
    const right = corner.endsWith('right');
    const bottom = corner.startsWith('bottom');
    const xs = [b.left, ...boxes.map((o) => (right ? o.left - size.width : o.left + o.width))].filter((x) => (right ? x <= b.left : x >= b.left));
    const ys = [b.top, ...boxes.map((o) => (bottom ? o.top - size.height : o.top + o.height))].filter((y) => (bottom ? y <= b.top : y >= b.top));
    for (const left of xs) {
      for (const top of ys) {
        if (!fits(left, top) || covered({ left, top, ...size }) > 0) continue;
        const cost = Math.abs(left - b.left) + Math.abs(top - b.top);
        if (!best || cost < best.cost) best = { corner, left, top, cost };
      }
    }
  }
  if (best) return place(best.corner, best.left, best.top, size, viewport, true);

  let least: { corner: Corner; area: number } | null = null;
  for (const corner of CORNERS) {
    const area = covered({ ...base(corner), ...size });
    if (!least || area < least.area) least = { corner, area };
  }
  const b = base(least!.corner);
  return place(least!.corner, b.left, b.top, size, viewport, false);
}
