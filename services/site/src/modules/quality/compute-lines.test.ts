import type { AnnotationDoc, Instructions, Shape } from '@annex/annotation-model';
import { metricValuesSchema } from '@annex/protocol';
import { describe, expect, it } from 'vitest';
import { computeTaskQuality } from './compute.ts';
import { seriesGrid } from './series-grid.ts';

// Polyline, length and angle labels through the site's quality computation (pure: no database).
// Pixels are 0.5 mm, so every pixel coordinate below is twice its mm value.

const SERIES = '1.2.3';
const SOP = '1.2.3.1';
const grids = new Map([
  [
    SERIES,
    seriesGrid([
      { seriesUid: SERIES, sopInstanceUid: SOP, frames: 1, rows: 64, columns: 64, pixelSpacing: [0.5, 0.5] },
    ]),
  ],
]);
const instructions: Instructions = {
  text: 'Trace the vessel, measure the diameter and the angle.',
  examples: [],
  labels: [
    { id: 'vessel', name: 'Vessel', color: '#ff0000', tool: 'polyline', required: false, attributes: [] },
    { id: 'diameter', name: 'Diameter', color: '#00ff00', tool: 'length', required: false, attributes: [] },
    { id: 'cobb', name: 'Cobb angle', color: '#0000ff', tool: 'angle', required: false, attributes: [] },
  ],
  classifications: [],
};
const shape = (labelId: string, kind: Shape['kind'], points: [number, number][]): Shape => ({
  id: `${labelId}-${points.flat().join('-')}`,
  labelId,
  kind,
  image: { seriesUid: SERIES, sopInstanceUid: SOP, frame: 1 },
  points,
  attributes: {},
});
const doc = (shapes: Shape[]): AnnotationDoc => ({ shapes, masks: [], classifications: {} });

// Rater 0: vessel along y = 0 mm (0..10 mm), a 10 mm diameter, a right angle.
const exact = doc([
  shape('vessel', 'polyline', [
    [0, 0],
    [20, 0],
  ]),
  shape('diameter', 'length', [
    [0, 10],
    [20, 10],
  ]),
  shape('cobb', 'angle', [
    [20, 20],
    [0, 20],
    [0, 40],
  ]),
]);
// Rater 1: the vessel 1 mm lower, a 12 mm diameter, a 45° angle — all close enough to match (5 mm).
const off = doc([
  shape('vessel', 'polyline', [
    [0, 2],
    [20, 2],
  ]),
  shape('diameter', 'length', [
    [0, 10],
    [24, 10],
  ]),
  shape('cobb', 'angle', [
    [20, 20],
    [0, 20],
    [20, 40],
  ]),
]);

const labelMetrics = (q: ReturnType<typeof computeTaskQuality>, id: string) =>
  q.labels.find((l) => l.labelId === id)?.metrics;

describe('polyline, length and angle quality on the site', () => {
  it('emits per-label agreement in mm and degrees, within the protocol ranges', () => {
    const q = computeTaskQuality({ instructions, raters: [exact, off], grids });
    expect(labelMetrics(q, 'vessel')).toEqual({ f1: 1, mean_distance_mm: 1, hausdorff_mm: 1 });
    const diameter = labelMetrics(q, 'diameter')!;
    expect(diameter.f1).toBe(1);
    expect(diameter.length_diff_mm).toBeCloseTo(2, 10);
    const cobb = labelMetrics(q, 'cobb')!;
    expect(cobb.f1).toBe(1);
    expect(cobb.angle_diff_deg).toBeCloseTo(45, 10);
    for (const l of q.labels) expect(() => metricValuesSchema.parse(l.metrics)).not.toThrow();
    for (const a of q.annotators) expect(() => metricValuesSchema.parse(a.metrics)).not.toThrow();
  });

  it('scores each annotator against gold on the line labels', () => {
    const q = computeTaskQuality({ instructions, raters: [exact, off], gold: exact, grids });
    expect(q.annotators[0]!.metrics).toMatchObject({
      f1: 1,
      hausdorff_mm: 0,
      length_diff_mm: 0,
      angle_diff_deg: 0,
    });
    expect(q.annotators[1]!.metrics.hausdorff_mm).toBeCloseTo(1, 10);
    expect(q.annotators[1]!.metrics.length_diff_mm).toBeCloseTo(2, 10);
    expect(q.annotators[1]!.metrics.angle_diff_deg).toBeCloseTo(45, 10);
    // Every line matched (F1 1), but the measurements disagree: 2 mm of 5 mm tolerated (0.6) and
    // 45° beyond the 15° tolerated (0). The score is the mean of F1 1 and their mean 0.3.
    expect(q.annotators[0]!.score).toBe(1);
    expect(q.annotators[1]!.score).toBeCloseTo((1 + (0.6 + 0) / 2) / 2, 10);
  });

  it('scores against the consensus without gold, and lowers F1 for a line nobody else drew', () => {
    const extra = doc([
      ...exact.shapes,
      shape('vessel', 'polyline', [
        [0, 60],
        [20, 60],
      ]),
    ]);
    const q = computeTaskQuality({ instructions, raters: [exact, off, exact], grids });
    // The consensus is the medoid annotator's shapes: rater 0's (identical to rater 2's).
    expect(q.consensus.shapes).toEqual(exact.shapes);
    expect(q.annotators[0]!.metrics).toMatchObject({ f1: 1, hausdorff_mm: 0, length_diff_mm: 0 });
    expect(q.annotators[1]!.metrics.angle_diff_deg).toBeCloseTo(45, 10);
    const withExtra = computeTaskQuality({ instructions, raters: [exact, extra], grids });
    // Vessel: 1 of 2 lines matched → F1 2·1/(1+2); the two measurements match exactly.
    expect(labelMetrics(withExtra, 'vessel')!.f1).toBeCloseTo(2 / 3, 12);
    expect(labelMetrics(withExtra, 'vessel')!.mean_distance_mm).toBe(0);
  });
});
