import type { BoundingBox } from '../../../lib/schemas';

export interface BoxPercent {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where the step's target lies on its screenshot, in percent of the image, so the box scales with
 * the image however large it is drawn. The bounding box is in CSS pixels of the page's viewport and
 * the screenshot shows that viewport (at the device's pixel ratio), so dividing by the viewport
 * gives the share; without a recorded viewport the image's own size (pixel ratio 1) stands in.
 * A box outside the picture is clipped to it; none at all, or one with no area, gives null.
 */
export function targetBox(
  box: BoundingBox | null | undefined,
  viewport: { width: number; height: number } | null | undefined,
  image: { width: number | null; height: number | null } | null | undefined,
): BoxPercent | null {
  if (!box) return null;
  const w = viewport && viewport.width > 0 ? viewport.width : image?.width ?? 0;
  const h = viewport && viewport.height > 0 ? viewport.height : image?.height ?? 0;
  if (!w || !h) return null;
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(w, box.x + box.width);
  const y1 = Math.min(h, box.y + box.height);
  if (x1 <= x0 || y1 <= y0) return null;
  const pct = (v: number, of: number) => Math.round((v / of) * 10000) / 100;
  return { left: pct(x0, w), top: pct(y0, h), width: pct(x1 - x0, w), height: pct(y1 - y0, h) };
}
