import { describe, expect, it } from 'vitest';
import { MARGIN, placeTooltip, spotlightRect } from './placement';

const vp = { width: 1000, height: 800 };
const tip = { width: 300, height: 120 };

describe('placeTooltip', () => {
  it('goes below the target when it fits, centred and clamped', () => {
    const p = placeTooltip({ left: 10, top: 100, width: 100, height: 30 }, tip, vp);
    expect(p.side).toBe('bottom');
    expect(p.top).toBe(142);
    expect(p.left).toBe(MARGIN);
  });
  it('goes above a target near the bottom', () => {
    expect(placeTooltip({ left: 400, top: 700, width: 100, height: 40 }, tip, vp).side).toBe('top');
  });
  it('goes beside a tall target and stays inside the viewport', () => {
    const p = placeTooltip({ left: 100, top: 20, width: 200, height: 760 }, tip, vp);
    expect(p.side).toBe('right');
    expect(p.top).toBeGreaterThanOrEqual(MARGIN);
    expect(p.top + tip.height).toBeLessThanOrEqual(vp.height - MARGIN);
  });
  it('centres without a target', () => {
    expect(placeTooltip(null, tip, vp)).toEqual({ left: 350, top: 340, side: 'center' });
  });
});

describe('spotlightRect', () => {
  it('pads the target and clips it to the viewport', () => {
    expect(spotlightRect({ left: 2, top: 50, width: 100, height: 20 }, vp)).toEqual({ left: 0, top: 44, width: 108, height: 32 });
    expect(spotlightRect({ left: 990, top: 790, width: 100, height: 100 }, vp)).toEqual({ left: 984, top: 784, width: 16, height: 16 });
  });
});
