import type { CheckBox } from '../../../lib/schemas';

export interface Size {
  width: number;
  height: number;
}

export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * Where a check step's element lies on its screenshot as drawn, in pixels of the rendered image.
 * The box is in CSS pixels of the viewport the screenshot shows (`viewport`, the step's
 * width × height), so each axis scales by rendered size / viewport size, whatever the image's own
 * resolution. Without a viewport the image's natural size stands in (a pixel ratio of 1). A box
 * reaching past the viewport is clipped to it; no box, a box without area or outside the picture,
 * or an image not laid out yet (size 0) gives null.
 */
export function boxOnImage(
  box: CheckBox | null | undefined,
  viewport: { width: number | null; height: number | null } | null | undefined,
  rendered: Size,
  natural?: Size | null,
): PixelBox | null {
  if (!box) return null;
  const vw = viewport?.width && viewport.width > 0 ? viewport.width : natural?.width ?? 0;
  const vh = viewport?.height && viewport.height > 0 ? viewport.height : natural?.height ?? 0;
  if (vw <= 0 || vh <= 0 || rendered.width <= 0 || rendered.height <= 0) return null;
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(vw, box.x + box.width);
  const y1 = Math.min(vh, box.y + box.height);
  if (x1 <= x0 || y1 <= y0) return null;
  const sx = rendered.width / vw;
  const sy = rendered.height / vh;
  return { left: round2(x0 * sx), top: round2(y0 * sy), width: round2((x1 - x0) * sx), height: round2((y1 - y0) * sy) };
}
