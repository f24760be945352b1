// Where the walkthrough tooltip goes: below the target if it fits, else above, else beside it,
// always inside the viewport. Pure, so it is tested without a browser.

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type Side = 'bottom' | 'top' | 'right' | 'left' | 'center';

export const GAP = 12;
export const MARGIN = 8;

export function placeTooltip(target: Rect | null, size: { width: number; height: number }, viewport: { width: number; height: number }): { left: number; top: number; side: Side } {
  const clampX = (x: number) => Math.max(MARGIN, Math.min(x, viewport.width - size.width - MARGIN));
  const clampY = (y: number) => Math.max(MARGIN, Math.min(y, viewport.height - size.height - MARGIN));
  if (!target) return { left: clampX((viewport.width - size.width) / 2), top: clampY((viewport.height - size.height) / 2), side: 'center' };
  const centerX = target.left + target.width / 2 - size.width / 2;
  const centerY = target.top + target.height / 2 - size.height / 2;
  const below = target.top + target.height + GAP;
  if (below + size.height <= viewport.height - MARGIN) return { left: clampX(centerX), top: below, side: 'bottom' };
  const above = target.top - GAP - size.height;
  if (above >= MARGIN) return { left: clampX(centerX), top: above, side: 'top' };
  const right = target.left + target.width + GAP;
  if (right + size.width <= viewport.width - MARGIN) return { left: right, top: clampY(centerY), side: 'right' };
  const left = target.left - GAP - size.width;
  if (left >= MARGIN) return { left, top: clampY(centerY), side: 'left' };
  // A target as large as the viewport: the tooltip sits at the bottom, over it.
  return { left: clampX(centerX), top: viewport.height - size.height - MARGIN, side: 'center' };
}

/** The spotlight: the target's rectangle with padding, clipped to the viewport. */
export function spotlightRect(target: Rect, viewport: { width: number; height: number }, padding = 6): Rect {
  const left = Math.max(0, target.left - padding);
  const top = Math.max(0, target.top - padding);
  const right = Math.min(viewport.width, target.left + target.width + padding);
  const bottom = Math.min(viewport.height, target.top + target.height + padding);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}
