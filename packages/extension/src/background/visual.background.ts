// The visual signal for a walkthrough step: the recorded screenshot's crop of the step's element
// against a fresh capture's crop of each candidate, as small grey thumbnails compared by
// guide-core's visualSimilarity. Images are decoded and scaled in the worker (createImageBitmap,
// OffscreenCanvas); nothing leaves the extension.
import { greyOf, visualSimilarity, VISUAL_SIZE } from '@stepwise/guide-core';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A crop of `image` (in its pixels) scaled to a VISUAL_SIZE² grey thumbnail; null when empty. */
export function thumbnail(image: ImageBitmap, crop: Rect): Float32Array | null {
  const x = Math.max(0, Math.floor(crop.x));
  const y = Math.max(0, Math.floor(crop.y));
  const w = Math.min(image.width - x, Math.ceil(crop.width));
  const h = Math.min(image.height - y, Math.ceil(crop.height));
  if (w < 2 || h < 2) return null;
  const canvas = new OffscreenCanvas(VISUAL_SIZE, VISUAL_SIZE);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, x, y, w, h, 0, 0, VISUAL_SIZE, VISUAL_SIZE);
  return greyOf(ctx.getImageData(0, 0, VISUAL_SIZE, VISUAL_SIZE).data);
}

/** `rect` (CSS pixels of a viewport `viewportWidth` wide) in the pixels of an image of that viewport. */
export function scaleRect(rect: Rect, viewportWidth: number, imageWidth: number): Rect {
  const k = viewportWidth > 0 ? imageWidth / viewportWidth : 1;
  return { x: rect.x * k, y: rect.y * k, width: rect.width * k, height: rect.height * k };
}

/**
 * Similarity (0..1) of each candidate's crop of `current` to the recorded element's crop of
 * `recorded`; null where a crop is empty (off screen).
 */
export function compareCrops(
  recorded: ImageBitmap,
  recordedBox: Rect,
  recordedViewportWidth: number,
  current: ImageBitmap,
  candidates: readonly Rect[],
  currentViewportWidth: number,
): (number | null)[] {
  const want = thumbnail(recorded, scaleRect(recordedBox, recordedViewportWidth, recorded.width));
  if (!want) return candidates.map(() => null);
  return candidates.map((r) => {
    const got = thumbnail(current, scaleRect(r, currentViewportWidth, current.width));
    return got ? visualSimilarity(want, got) : null;
  });
}
