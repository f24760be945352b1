import type { BoundingBox } from '../../../lib/schemas';

export interface CropLayout {
  /** Size and offset of the whole image inside the frame, in frame pixels. */
  image: { width: number; height: number; left: number; top: number };
  /** The element's outline inside the frame. */
  box: { left: number; top: number; width: number; height: number };
}

/**
 * Shows the part of a screenshot around an element in a fixed frame: the element with `pad`
 * pixels of context around it, scaled to fit the frame (never enlarged more than `maxScale`) and
 * centred. Coordinates are in the screenshot's pixels (a bounding box recorded at a pixel ratio of 1).
 */
export function cropLayout(
  box: BoundingBox,
  natural: { width: number; height: number },
  frame: { width: number; height: number },
  pad = 48,
  maxScale = 2,
): CropLayout {
  const x0 = Math.max(0, box.x - pad);
  const y0 = Math.max(0, box.y - pad);
  const x1 = Math.min(natural.width, box.x + box.width + pad);
  const y1 = Math.min(natural.height, box.y + box.height + pad);
  const rw = Math.max(1, x1 - x0);
  const rh = Math.max(1, y1 - y0);
  const scale = Math.min(frame.width / rw, frame.height / rh, maxScale);
  const left = (frame.width - rw * scale) / 2 - x0 * scale;
  const top = (frame.height - rh * scale) / 2 - y0 * scale;
  return {
    image: { width: natural.width * scale, height: natural.height * scale, left, top },
    box: { left: left + box.x * scale, top: top + box.y * scale, width: box.width * scale, height: box.height * scale },
  };
}
