import { describe, expect, it } from 'vitest';
import { targetBox } from './target-box';

describe('target box on a screenshot', () => {
  it('is the element’s share of the viewport, whatever the screenshot’s pixel ratio', () => {
    const box = { x: 100, y: 50, width: 200, height: 40 };
    expect(targetBox(box, { width: 1000, height: 500 }, { width: 2000, height: 1000 })).toEqual({ left: 10, top: 10, width: 20, height: 8 });
    expect(targetBox(box, { width: 1000, height: 500 }, { width: 1000, height: 500 })).toEqual({ left: 10, top: 10, width: 20, height: 8 });
  });

  it('without a recorded viewport the image size stands in', () => {
    expect(targetBox({ x: 0, y: 0, width: 50, height: 25 }, null, { width: 500, height: 250 })).toEqual({ left: 0, top: 0, width: 10, height: 10 });
  });

  it('clips to the picture, and gives nothing for a box outside it or without area', () => {
    const vp = { width: 1000, height: 500 };
    expect(targetBox({ x: -50, y: 450, width: 100, height: 100 }, vp, null)).toEqual({ left: 0, top: 90, width: 5, height: 10 });
    expect(targetBox({ x: 1200, y: 10, width: 50, height: 50 }, vp, null)).toBeNull();
    expect(targetBox({ x: 10, y: 10, width: 0, height: 50 }, vp, null)).toBeNull();
    expect(targetBox(null, vp, null)).toBeNull();
    expect(targetBox({ x: 1, y: 1, width: 1, height: 1 }, null, null)).toBeNull();
  });
});
