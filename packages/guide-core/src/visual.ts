/**
 * The visual signal: how much a candidate looks like the recorded element on the recorded
 * screenshot. Both crops are reduced to small grey thumbnails (the caller draws them: a canvas
 * does the scaling) and compared by structural similarity (SSIM over the whole thumbnail), which
 * ignores uniform brightness and contrast changes (a theme's new shade of blue) but not shape
 * (an icon, a label's length, a field's border). Pure: numbers in, a number out.
 */

/** Thumbnails are this many pixels a side (16 × 16 = 256 grey values). */
export const VISUAL_SIZE = 16;
/** Points a perfect visual match adds to a candidate's score (and a complete mismatch takes). */
export const VISUAL_WEIGHT = 8;

// SSIM's stabilising constants for 8-bit values: (0.01·255)² and (0.03·255)².
const C1 = 6.5025;
const C2 = 58.5225;

/** Grey values (0..255) of RGBA pixels, by the Rec. 601 luma weights. */
export function greyOf(rgba: ArrayLike<number>): Float32Array {
  const n = Math.floor(rgba.length / 4);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
  return out;
}

/** Structural similarity of two equally sized grey thumbnails, 0..1 (1: identical; unrelated ≈ 0–0.2). */
export function visualSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (!n || a.length !== b.length) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let va = 0;
  let vb = 0;
  let cov = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    va += da * da;
    vb += db * db;
    cov += da * db;
  }
  va /= n - 1 || 1;
  vb /= n - 1 || 1;
  cov /= n - 1 || 1;
  const ssim = ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
  return Math.max(0, Math.min(1, ssim));
}

/**
 * A candidate's score with the visual signal: a look-alike of the recorded crop gains up to
 * VISUAL_WEIGHT points, an unrelated one loses up to as many (similarity 0.5 is neutral). After a
 * redesign every candidate looks less alike; what counts is which looks most like the recording.
 */
export function withVisual(score: number, similarity: number | null | undefined): number {
  if (similarity === null || similarity === undefined || Number.isNaN(similarity)) return score;
  return Math.round(Math.max(0, Math.min(100, score + VISUAL_WEIGHT * (2 * similarity - 1))) * 10) / 10;
}
