import { describe, expect, it } from 'vitest';
import { CLEARANCE, EDGE, placeLauncher } from './launcher-placement';
import type { Rect } from './placement';

const VIEW = { width: 1280, height: 800 };
const SIZE = { width: 100, height: 40 };
const box = (left: number, top: number, width: number, height: number): Rect => ({ left, top, width, height });
const hits = (a: Rect, b: Rect) => a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
const rectOf = (p: { left: number; top: number }) => box(p.left, p.top, SIZE.width, SIZE.height);

/** A chat bubble: 60 px round, 20 px from the bottom-right corner. */
const CHAT = box(1280 - 20 - 60, 800 - 20 - 60, 60, 60);

describe('placeLauncher', () => {
  it('defaults to the bottom-right corner, EDGE from both edges', () => {
    const p = placeLauncher(VIEW, SIZE, []);
    expect(p).toEqual({ corner: 'bottom-right', left: 1280 - EDGE - 100, top: 800 - EDGE - 40, offsetX: EDGE, offsetY: EDGE, free: true });
  });

  it('moves to the bottom-left past a chat bubble in the bottom-right', () => {
    const p = placeLauncher(VIEW, SIZE, [CHAT]);
    expect(p.corner).toBe('bottom-left');
    expect(p).toMatchObject({ left: EDGE, offsetX: EDGE, offsetY: EDGE, free: true });
    expect(hits(rectOf(p), CHAT)).toBe(false);
  });

  it('goes to the top-right when a cookie bar spans the bottom', () => {
    const bar = box(0, 800 - 90, 1280, 90);
    const p = placeLauncher(VIEW, SIZE, [bar, CHAT]);
    expect(p.corner).toBe('top-right');
    expect(p).toMatchObject({ offsetX: EDGE, offsetY: EDGE, top: EDGE });
  });

  it('tries the corners in order: bottom-right, bottom-left, top-right, top-left', () => {
    const bottom = box(0, 700, 1280, 100);
    const topRight = box(1100, 0, 180, 70);
    expect(placeLauncher(VIEW, SIZE, [bottom, topRight]).corner).toBe('top-left');
  });

  it('keeps CLEARANCE from a control: one that only comes close still moves it', () => {
    // Ends CLEARANCE - 1 px short of the launcher's spot.
    const near = box(1280 - EDGE - 100 - 40 - (CLEARANCE - 1), 740, 40, 40);
    expect(placeLauncher(VIEW, SIZE, [near]).corner).toBe('bottom-left');
    const far = box(near.left - 2, 740, 40, 40);
    expect(placeLauncher(VIEW, SIZE, [far]).corner).toBe('bottom-right');
  });

  it('with every corner taken, slides the shortest way past what is there (above a footer lower than the header)', () => {
    const header = box(0, 0, 1280, 96);
    const footer = box(0, 800 - 72, 1280, 72);
    const p = placeLauncher(VIEW, SIZE, [header, footer]);
    expect(p.free).toBe(true);
    expect(p.corner).toBe('bottom-right');
    expect(p.top).toBe(800 - 72 - CLEARANCE - 40);
    expect(p.offsetY).toBe(72 + CLEARANCE);
    expect(p.offsetX).toBe(EDGE);
    for (const o of [header, footer]) expect(hits(rectOf(p), o)).toBe(false);
    // The header the lower one: the top corner wins.
    expect(placeLauncher(VIEW, SIZE, [box(0, 0, 1280, 60), footer])).toMatchObject({ corner: 'top-right', offsetY: 60 + CLEARANCE });
  });

  it('slides sideways when that is shorter (a tall narrow rail in every corner)', () => {
    const rails = [box(1280 - 60, 800 - 200, 60, 200), box(0, 800 - 200, 60, 200), box(1280 - 60, 0, 60, 200), box(0, 0, 60, 200)];
    const p = placeLauncher(VIEW, SIZE, rails);
    expect(p.free).toBe(true);
    for (const o of rails) expect(hits(rectOf(p), o)).toBe(false);
    expect(p).toMatchObject({ corner: 'bottom-right', offsetX: 60 + CLEARANCE, offsetY: EDGE });
  });

  it('falls back to the least covered corner when nothing is free', () => {
    const all = box(0, 0, 1280, 800);
    const p = placeLauncher(VIEW, SIZE, [all, box(0, 0, 300, 300)]);
    expect(p.free).toBe(false);
    expect(p.corner).toBe('bottom-right');
  });

  it('ignores empty boxes, and stays inside a small viewport', () => {
    expect(placeLauncher(VIEW, SIZE, [box(1200, 750, 0, 0)]).corner).toBe('bottom-right');
    const small = { width: 320, height: 200 };
    const p = placeLauncher(small, SIZE, [box(0, 140, 320, 60)]);
    expect(p.left).toBeGreaterThanOrEqual(0);
    expect(p.top).toBeGreaterThanOrEqual(0);
    expect(p.left + SIZE.width).toBeLessThanOrEqual(320);
    expect(p.top + SIZE.height).toBeLessThanOrEqual(200);
    expect(p.corner).toBe('top-right');
  });
});
