import { describe, expect, it } from 'vitest';
import { matchPolylines, measurementQuality, measurementValue, polylineQuality } from './line-quality.ts';
import {
  angleAtVertexDeg,
  type PolylineMm,
  pointSegmentDistanceMm,
  polylineDistanceMm,
  polylineLengthMm,
} from './polyline-distance.ts';
import type { MetricValue } from './summary.ts';
import { qualitySummarySchema } from './summary.ts';

const line = (...xy: [number, number][]): PolylineMm => xy.map(([x, y]) => ({ x, y }));
const horizontal = (y: number, x0 = 0, x1 = 10) => line([x0, y], [x1, y]);
const get = (m: MetricValue[], metric: string, comparison: string, a: number | null, b: number | null) =>
  m.find((x) => x.metric === metric && x.comparison === comparison && x.raterA === a && x.raterB === b)
    ?.value;

describe('polyline distances in mm', () => {
  it('measures a point against a segment: perpendicular inside, to the end beyond it, to the point when degenerate', () => {
    expect(pointSegmentDistanceMm({ x: 3, y: 4 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(4);
    expect(pointSegmentDistanceMm({ x: 13, y: 4 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(5);
    expect(pointSegmentDistanceMm({ x: 3, y: 4 }, { x: 0, y: 0 }, { x: 0, y: 0 })).toBe(5);
  });

  it('is 0 for identical lines and the gap for parallel ones of equal extent', () => {
    expect(polylineDistanceMm(horizontal(0), horizontal(0))).toEqual({ meanMm: 0, hausdorffMm: 0 });
    const d = polylineDistanceMm(horizontal(0), horizontal(3));
    expect(d.meanMm).toBeCloseTo(3, 12);
    expect(d.hausdorffMm).toBeCloseTo(3, 12);
  });

  it('weights by length: a line twice as long as the one it overlaps (hand-computed 1.25 mm mean, 10 mm Hausdorff)', () => {
    // A→B: 0 everywhere. B→A: 0 on x∈[0,10], x−10 on [10,20]: ∫ = 50 over length 20 = 2.5.
    const a = horizontal(0, 0, 10);
    const b = horizontal(0, 0, 20);
    const d = polylineDistanceMm(a, b);
    expect(d.meanMm).toBeCloseTo(1.25, 12);
    expect(d.hausdorffMm).toBeCloseTo(10, 12);
    expect(polylineDistanceMm(b, a)).toEqual(d);
  });

  it('follows every segment of a bent line, and treats a one-point line as a point', () => {
    // An L (0,0)→(4,0)→(4,3) against its first leg: the second leg is 0..4 mm away, ∫ over 3 mm of
    // hypot(0, y)… i.e. y: mean over the L = (0·4 + 4.5)/7; the leg itself lies on the L.
    const l = line([0, 0], [4, 0], [4, 3]);
    const leg = line([0, 0], [4, 0]);
    const d = polylineDistanceMm(l, leg);
    expect(d.meanMm).toBeCloseTo(4.5 / 7 / 2, 12);
    expect(d.hausdorffMm).toBeCloseTo(3, 12);
    expect(polylineLengthMm(l)).toBe(7);
    // A point 4 mm above a 10 mm line: 4 mm one way; the other way the mean of hypot(x−3, 4) over
    // x∈[−5,5], in closed form ∫√(u²+a²)du = (u√(u²+a²) + a²·ln(u+√(u²+a²)))/2 for u∈[−8,2], a=4.
    const F = (u: number) => (u * Math.hypot(u, 4) + 16 * Math.log(u + Math.hypot(u, 4))) / 2;
    const point = polylineDistanceMm(line([3, 4]), horizontal(0, -5, 5));
    expect(point.meanMm).toBeCloseTo((4 + (F(2) - F(-8)) / 10) / 2, 2);
    expect(point.hausdorffMm).toBeCloseTo(Math.hypot(8, 4), 12);
  });

  it('gives the angle at the middle point in degrees', () => {
    expect(angleAtVertexDeg(line([1, 0], [0, 0], [0, 1]))).toBeCloseTo(90, 12);
    expect(angleAtVertexDeg(line([1, 0], [0, 0], [1, 1]))).toBeCloseTo(45, 12);
    expect(angleAtVertexDeg(line([1, 0], [0, 0], [-1, 0]))).toBeCloseTo(180, 12);
    expect(angleAtVertexDeg(line([0, 0], [0, 0], [1, 0]))).toBeNaN();
    expect(measurementValue('length', line([0, 0], [3, 4]))).toBe(5);
  });
});

describe('polyline matching and F1', () => {
  it('matches lines one-to-one by distance and counts those within the threshold', () => {
    const ref = [horizontal(0), horizontal(10)];
    const test = [horizontal(10.5), horizontal(0.4), horizontal(50)];
    const m = matchPolylines(ref, test, 1);
    expect(m.pairs.map((p) => [p.ref, p.test])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(m.truePositives).toBe(2);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.8, 12);
    expect(m.meanMatchedValue).toBeCloseTo(0.45, 12);
    expect(m.meanHausdorffMm).toBeCloseTo(0.45, 12);
    expect(matchPolylines([], [], 1).f1).toBe(1);
    expect(matchPolylines([horizontal(0)], [], 1)).toMatchObject({ f1: 0, precision: null, recall: 0 });
  });

  it('scores raters pairwise and against gold, as summary metrics that validate', () => {
    const gold = [horizontal(0)];
    const m = polylineQuality(
      3,
      [[horizontal(0)], [horizontal(2)], [horizontal(0.5), horizontal(20)]],
      1,
      gold,
    );
    expect(get(m, 'f1', 'pair', 0, 1)).toBe(0);
    expect(get(m, 'mean_distance_mm', 'pair', 0, 1)).toBeNull();
    expect(get(m, 'f1', 'pair', 0, 2)).toBeCloseTo(2 / 3, 12);
    expect(get(m, 'mean_distance_mm', 'pair', 0, 2)).toBeCloseTo(0.5, 12);
    expect(get(m, 'hd_max_mm', 'pair', 0, 2)).toBeCloseTo(0.5, 12);
    expect(get(m, 'f1', 'vs_gold', 0, null)).toBe(1);
    expect(get(m, 'f1', 'vs_gold', 1, null)).toBe(0);
    expect(get(m, 'recall', 'vs_gold', 2, null)).toBe(1);
    expect(get(m, 'precision', 'vs_gold', 2, null)).toBe(0.5);
    expect(() =>
      qualitySummarySchema.parse({ version: 1, raters: 3, labels: [3], metrics: m }),
    ).not.toThrow();
  });
});

describe('length and angle measurements', () => {
  it('compares matched lengths by their absolute difference in mm; unmatched ones only lower F1', () => {
    const m = measurementQuality(
      5,
      'length',
      [[horizontal(0, 0, 10)], [horizontal(0.5, 0, 12), horizontal(100)]],
      5,
    );
    expect(get(m, 'abs_difference', 'pair', 0, 1)).toBeCloseTo(2, 12);
    expect(get(m, 'f1', 'pair', 0, 1)).toBeCloseTo(2 / 3, 12);
  });

  it('compares matched angles by their absolute difference in degrees, against gold too', () => {
    const right = line([10, 0], [0, 0], [0, 10]);
    const half = line([10, 0], [0, 0], [10, 10]);
    const m = measurementQuality(6, 'angle', [[right], [half]], 10, [right]);
    expect(get(m, 'abs_difference', 'pair', 0, 1)).toBeCloseTo(45, 10);
    expect(get(m, 'abs_difference', 'vs_gold', 0, null)).toBe(0);
    expect(get(m, 'abs_difference', 'vs_gold', 1, null)).toBeCloseTo(45, 10);
    expect(get(m, 'f1', 'vs_gold', 1, null)).toBe(1);
  });

  it('leaves the difference undefined when nothing matched', () => {
    const m = measurementQuality(5, 'length', [[horizontal(0)], [horizontal(40)]], 5);
    expect(get(m, 'abs_difference', 'pair', 0, 1)).toBeNull();
    expect(get(m, 'f1', 'pair', 0, 1)).toBe(0);
  });
});
