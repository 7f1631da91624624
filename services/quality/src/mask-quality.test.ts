import { describe, expect, it } from 'vitest';
import { paintEllipsoid } from '../test/shapes.ts';
import type { Grid } from './grid.ts';
import { encodeLabelRle } from './label-rle.ts';
import { computeMaskTaskQuality } from './mask-quality.ts';
import { byteOverlap, diceFromCounts, iouFromCounts } from './overlap.ts';
import type { MetricValue } from './summary.ts';
import { qualitySummarySchema } from './summary.ts';
import { surfaceDistance } from './surface-distance.ts';

const dims: [number, number, number] = [40, 36, 16];
const grid: Grid = {
  dims,
  spacing: [0.8, 0.8, 2.5],
  zPositions: Array.from({ length: 16 }, (_, k) => k * 2.5 + (k > 8 ? 1 : 0)),
};

function annotator(shift: number, r: number): Uint8Array {
  const v = new Uint8Array(40 * 36 * 16);
  paintEllipsoid(v, dims, [14, 14, 7], [r, r - 1, 4], 1);
  paintEllipsoid(v, dims, [29, 24 - shift, 9], [5, 6, 3], 2);
  return v;
}

const find = (
  m: MetricValue[],
  metric: string,
  comparison: string,
  label: number,
  a: number | null,
  b: number | null,
) =>
  m.find(
    (x) =>
      x.metric === metric &&
      x.comparison === comparison &&
      x.label === label &&
      x.raterA === a &&
      x.raterB === b,
  )?.value;

describe('mask task quality', () => {
  const vols = [annotator(0, 8), annotator(1, 9), annotator(-1, 7)];
  const gold = annotator(0, 8.5);
  const res = computeMaskTaskQuality({
    grid,
    raters: vols.map(encodeLabelRle),
    labels: [2, 1],
    gold: encodeLabelRle(gold),
  });
  const m = res.summary.metrics;

  it('reports pairwise Dice and IoU equal to the plain byte loop', () => {
    for (const [i, j] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      for (const l of [1, 2]) {
        const c = byteOverlap(vols[i]!, vols[j]!, l);
        expect(find(m, 'dice', 'pair', l, i, j)).toBeCloseTo(diceFromCounts(c), 12);
        expect(find(m, 'iou', 'pair', l, i, j)).toBeCloseTo(iouFromCounts(c), 12);
      }
    }
    expect(find(m, 'dice', 'pair', 1, 0, 1)).toBeLessThan(1);
  });

  it('reports HD95 per pair and against gold equal to the standalone surface distance', () => {
    const toMask = (v: Uint8Array, l: number) => Uint8Array.from(v, (x) => (x === l ? 1 : 0));
    expect(find(m, 'hd95_mm', 'pair', 1, 0, 2)).toBeCloseTo(
      surfaceDistance(grid, toMask(vols[0]!, 1), toMask(vols[2]!, 1)).hd95Mm!,
      12,
    );
    expect(find(m, 'hd95_mm', 'vs_gold', 2, 1, null)).toBeCloseTo(
      surfaceDistance(grid, toMask(vols[1]!, 2), toMask(gold, 2)).hd95Mm!,
      12,
    );
  });

  it('scores every annotator against majority, STAPLE and gold, and gives STAPLE estimates per rater', () => {
    for (const comparison of ['vs_majority', 'vs_staple', 'vs_gold']) {
      for (let i = 0; i < 3; i++) {
        for (const metric of [
          'dice',
          'iou',
          'sensitivity',
          'specificity',
          'precision',
          'hd95_mm',
          'volume_diff_ml',
        ]) {
          expect(find(m, metric, comparison, 1, i, null)).toEqual(expect.any(Number));
        }
        expect(find(m, 'kappa', comparison, 0, i, null)).toEqual(expect.any(Number));
      }
    }
    // Label 1 is nested: rater 2 ⊂ rater 0 ⊂ rater 1. STAPLE must rank sensitivity and specificity so.
    const sens = [0, 1, 2].map((i) => find(m, 'staple_sensitivity', 'staple', 1, i, null)!);
    const spec = [0, 1, 2].map((i) => find(m, 'staple_specificity', 'staple', 1, i, null)!);
    expect(sens[1]).toBeGreaterThanOrEqual(sens[0]!);
    expect(sens[0]).toBeGreaterThan(sens[2]!);
    expect(spec[2]).toBeGreaterThanOrEqual(spec[0]!);
    expect(spec[0]).toBeGreaterThan(spec[1]!);
  });

  it('produces a summary of numbers and enums only that passes the strict schema', () => {
    const json = JSON.parse(JSON.stringify(res.summary));
    expect(qualitySummarySchema.parse(json)).toEqual(res.summary);
    expect(() => qualitySummarySchema.parse({ ...json, note: 'free text' })).toThrow();
    expect(res.summary.labels).toEqual([1, 2]);
    for (const x of m) expect(x.value === null || Number.isFinite(x.value)).toBe(true);
  });

  it('gives perfect scores when all annotators agree', () => {
    const same = computeMaskTaskQuality({
      grid,
      raters: [vols[0]!, vols[0]!, vols[0]!].map(encodeLabelRle),
      labels: [1, 2],
    });
    for (const x of same.summary.metrics) {
      if (x.metric === 'dice' || x.metric === 'iou' || x.metric === 'kappa') expect(x.value).toBe(1);
      if (x.metric === 'hd95_mm' || x.metric === 'volume_diff_ml') expect(x.value).toBe(0);
    }
  });

  it('reports a label nobody drew as agreement with undefined distances', () => {
    const r = computeMaskTaskQuality({
      grid,
      raters: vols.map(encodeLabelRle),
      labels: [9],
      surfaceDistances: true,
    });
    const mm = r.summary.metrics;
    expect(find(mm, 'dice', 'pair', 9, 0, 1)).toBe(1);
    expect(find(mm, 'hd95_mm', 'pair', 9, 0, 1)).toBeNull();
    expect(find(mm, 'staple_prior', 'staple', 9, null, null)).toBe(0);
    expect(find(mm, 'sensitivity', 'vs_staple', 9, 0, null)).toBeNull();
  });

  it('rejects annotations that do not fit the grid', () => {
    expect(() =>
      computeMaskTaskQuality({ grid, raters: [encodeLabelRle(new Uint8Array(10))], labels: [1] }),
    ).toThrow(/grid size/);
  });
});
