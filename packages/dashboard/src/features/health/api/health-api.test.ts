import { describe, expect, it } from 'vitest';
import { cropLayout } from '../components/crop-layout';
import { chartPoints } from './health-api';

describe('health chart points', () => {
  it('one point per day of the period, oldest first, missing days empty', () => {
    const points = chartPoints(
      [
        { date: '2026-11-24', success: 3, failed: 1, abandoned: 2, healed: 1 },
        { date: '2026-11-26', success: 0, failed: 0, abandoned: 1, healed: 0 },
      ],
      3,
      new Date('2026-11-26T15:00:00Z'),
    );
    expect(points.map((p) => p.date)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26']);
    expect(points[0]).toMatchObject({ label: '24 Nov', success: 3, failed: 1, abandoned: 2, healed: 1, rate: 75 });
    expect(points[1]).toMatchObject({ success: 0, failed: 0, rate: null });
    // Abandoned runs are neither successes nor failures.
    expect(points[2]?.rate).toBeNull();
  });

  it('runs completed with skips are finished runs but not successes', () => {
    const [p] = chartPoints([{ date: '2026-11-26', success: 3, completed_with_skips: 1, failed: 1, abandoned: 4, healed: 0 }], 1, new Date('2026-11-26T15:00:00Z'));
    expect(p).toMatchObject({ success: 3, withSkips: 1, failed: 1, abandoned: 4, rate: 60 });
    // A server that does not send the count yet: none.
    const [old] = chartPoints([{ date: '2026-11-26', success: 1, failed: 1, abandoned: 0, healed: 0 }], 1, new Date('2026-11-26T15:00:00Z'));
    expect(old).toMatchObject({ withSkips: 0, rate: 50 });
  });

  it('ignores days outside the period', () => {
    const points = chartPoints([{ date: '2026-10-01', success: 9, failed: 0, abandoned: 0, healed: 0 }], 7, new Date('2026-11-26T00:00:00Z'));
    expect(points).toHaveLength(7);
    expect(points.every((p) => p.success === 0)).toBe(true);
  });
});

describe('crop around an element', () => {
  it('scales the padded region to fit the frame and centres the element', () => {
    const l = cropLayout({ x: 500, y: 300, width: 100, height: 50 }, { width: 1280, height: 800 }, { width: 400, height: 240 }, 50);
    // region 200x150 → scale min(2, 1.6, 2) = 1.6
    expect(l.box.width).toBeCloseTo(160);
    expect(l.box.height).toBeCloseTo(80);
    expect(l.box.left + l.box.width / 2).toBeCloseTo(200);
    expect(l.box.top + l.box.height / 2).toBeCloseTo(120);
    expect(l.image.width).toBeCloseTo(1280 * 1.6);
  });

  it('never enlarges more than twice, and keeps a corner element inside the frame', () => {
    const tiny = cropLayout({ x: 10, y: 10, width: 4, height: 4 }, { width: 1000, height: 600 }, { width: 400, height: 240 }, 8);
    expect(tiny.box.width).toBeCloseTo(8);
    const corner = cropLayout({ x: 0, y: 0, width: 40, height: 20 }, { width: 1000, height: 600 }, { width: 400, height: 240 });
    expect(corner.box.left).toBeGreaterThanOrEqual(0);
    expect(corner.box.top).toBeGreaterThanOrEqual(0);
    expect(corner.box.left + corner.box.width).toBeLessThanOrEqual(400);
  });
});
