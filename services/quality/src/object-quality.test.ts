import { describe, expect, it } from 'vitest';
import { angleDifferenceDeg } from './object-matching.ts';
import type { Region } from './object-quality.ts';
import {
  categoricalQuality,
  numericQuality,
  pointQuality,
  regionIou,
  regionQuality,
} from './object-quality.ts';
import { qualitySummarySchema } from './summary.ts';

const get = (
  m: {
    metric: string;
    comparison: string;
    raterA: number | null;
    raterB: number | null;
    value: number | null;
  }[],
  metric: string,
  comparison: string,
  a: number | null,
  b: number | null,
) =>
  m.find((x) => x.metric === metric && x.comparison === comparison && x.raterA === a && x.raterB === b)
    ?.value;

describe('non-mask annotation quality', () => {
  it('compares a box with a polygon through the polygon path', () => {
    const box: Region = { kind: 'box', box: { x0: 0, y0: 0, x1: 2, y1: 2 } };
    const tri: Region = { kind: 'polygon', points: [0, 0, 2, 0, 0, 2] };
    expect(regionIou(box, tri)).toBeCloseTo(0.5, 12);
  });

  it('scores regions pairwise and against gold with F1 at IoU 0.5', () => {
    const b = (x: number): Region => ({ kind: 'box', box: { x0: x, y0: 0, x1: x + 10, y1: 10 } });
    const m = regionQuality(4, [[b(0), b(20)], [b(1)], [b(0), b(20), b(50)]], [b(0), b(20)]);
    expect(get(m, 'f1', 'pair', 0, 1)).toBeCloseTo(2 / 3, 12);
    expect(get(m, 'f1', 'vs_gold', 0, null)).toBe(1);
    expect(get(m, 'precision', 'vs_gold', 2, null)).toBeCloseTo(2 / 3, 12);
    expect(get(m, 'recall', 'vs_gold', 1, null)).toBeCloseTo(1 / 2, 12);
    expect(() =>
      qualitySummarySchema.parse({ version: 1, raters: 3, labels: [4], metrics: m }),
    ).not.toThrow();
  });

  it('scores points by distance in mm', () => {
    const m = pointQuality(5, [[{ x: 0, y: 0 }], [{ x: 3, y: 4 }]], 10);
    expect(get(m, 'mean_distance_mm', 'pair', 0, 1)).toBe(5);
    expect(get(m, 'f1', 'pair', 0, 1)).toBe(1);
  });

  it('scores classifications with kappas, alpha and accuracy against gold', () => {
    const m = categoricalQuality(
      6,
      [
        ['a', 'b', 'a', 'c', null],
        ['a', 'b', 'b', 'c', 'a'],
        ['a', 'b', 'a', 'c', 'a'],
      ],
      ['a', 'b', 'a', 'c', 'a'],
    );
    expect(get(m, 'accuracy', 'vs_gold', 2, null)).toBe(1);
    // An unanswered gold item counts as wrong.
    expect(get(m, 'accuracy', 'vs_gold', 0, null)).toBeCloseTo(0.8, 12);
    expect(get(m, 'accuracy', 'vs_gold', 1, null)).toBeCloseTo(0.8, 12);
    expect(get(m, 'kappa', 'pair', 0, 2)).toBe(1);
    expect(get(m, 'fleiss_kappa', 'all_raters', null, null)).toBeLessThan(1);
    expect(get(m, 'alpha_nominal', 'all_raters', null, null)).toBeLessThan(1);
  });

  it('scores numeric measurements with interval alpha and mean absolute differences', () => {
    const m = numericQuality(7, [
      [10, 20, 30],
      [11, 20, 29],
    ]);
    expect(get(m, 'abs_difference', 'pair', 0, 1)).toBeCloseTo(2 / 3, 12);
    expect(get(m, 'alpha_interval', 'all_raters', null, null)).toBeGreaterThan(0.95);
    const angles = numericQuality(8, [[359], [1]], undefined, angleDifferenceDeg);
    expect(get(angles, 'abs_difference', 'pair', 0, 1)).toBe(2);
  });
});
