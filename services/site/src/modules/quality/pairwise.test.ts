import type { AnnotationDoc, Instructions, Shape } from '@annex/annotation-model';
import type { MetricValue } from '@annex/quality';
import { describe, expect, it } from 'vitest';
import { computeTaskQuality } from './compute.ts';
import { pairwiseAgreement } from './pairwise.ts';
import { seriesGrid } from './series-grid.ts';

const ids = ['usr_aaaaaaaaaaaaaaaaaaaa', 'usr_bbbbbbbbbbbbbbbbbbbb', 'usr_cccccccccccccccccccc'];
const [A, B, C] = ids as [string, string, string];

const instructions: Pick<Instructions, 'labels' | 'classifications'> = {
  labels: [
    { id: 'liver', name: 'Liver', color: '#aa0000', tool: 'mask', required: false, attributes: [] },
    { id: 'nodule', name: 'Nodule', color: '#00aa00', tool: 'bbox', required: false, attributes: [] },
    { id: 'ruler', name: 'Ruler', color: '#0000aa', tool: 'length', required: false, attributes: [] },
  ],
  classifications: [
    {
      id: 'quality',
      label: 'Image quality',
      level: 'image',
      type: 'select',
      options: ['ok', 'bad'],
      required: false,
    },
    { id: 'size', label: 'Size', level: 'study', type: 'number', required: false },
  ],
};

const pair = (metric: string, label: number, a: number, b: number, value: number | null): MetricValue =>
  ({ metric, comparison: 'pair', label, raterA: a, raterB: b, value }) as MetricValue;

describe('pairwiseAgreement', () => {
  it('gives a numeric classification the mean absolute difference of each pair of answers', () => {
    const metrics = [
      pair('abs_difference', 5, 0, 1, 2),
      pair('abs_difference', 5, 0, 2, 4.5),
      pair('abs_difference', 5, 2, 1, null), // no target both answered
      pair('alpha_interval', 5, 0, 1, 0.3), // not the pair metric
    ];
    expect(pairwiseAgreement({ instructions, metrics, annotatorIds: ids }).get('size')).toEqual({
      metric: 'number_diff',
      pairs: [
        { annotatorA: A, annotatorB: B, value: 2 },
        { annotatorA: A, annotatorB: C, value: 4.5 },
        { annotatorA: B, annotatorB: C, value: null },
      ],
    });
  });

  it('gives each label its main metric per annotator pair, by pseudonym, averaged over images', () => {
    const metrics = [
      pair('dice', 1, 0, 1, 0.8),
      pair('dice', 1, 0, 2, 0.6),
      pair('dice', 1, 1, 2, 0.7),
      pair('iou', 1, 0, 1, 0.5), // not the label's main metric
      pair('f1', 2, 0, 1, 1),
      pair('f1', 2, 0, 1, 0.5), // a second image of the same pair
      pair('f1', 2, 1, 2, 0),
      pair('kappa', 4, 0, 1, 0.25),
      pair('kappa', 4, 2, 1, -0.5), // order of the raters does not matter
      pair('kappa', 4, 0, 2, 1),
      {
        metric: 'dice',
        comparison: 'vs_staple',
        label: 1,
        raterA: 0,
        raterB: null,
        value: 0.9,
      } as MetricValue,
    ];
    const out = pairwiseAgreement({ instructions, metrics, annotatorIds: ids });
    expect(out.get('liver')).toEqual({
      metric: 'dice',
      pairs: [
        { annotatorA: A, annotatorB: B, value: 0.8 },
        { annotatorA: A, annotatorB: C, value: 0.6 },
        { annotatorA: B, annotatorB: C, value: 0.7 },
      ],
    });
    expect(out.get('nodule')).toEqual({
      metric: 'f1',
      pairs: [
        { annotatorA: A, annotatorB: B, value: 0.75 },
        { annotatorA: B, annotatorB: C, value: 0 },
      ],
    });
    expect(out.get('quality')).toEqual({
      metric: 'cohen_kappa',
      pairs: [
        { annotatorA: A, annotatorB: B, value: 0.25 },
        { annotatorA: A, annotatorB: C, value: 1 },
        { annotatorA: B, annotatorB: C, value: -0.5 },
      ],
    });
    // Numeric questions have no pairwise measure the protocol names.
    expect(out.has('size')).toBe(false);
  });

  it('gives measurements the mean absolute difference of their matched pairs, in mm and degrees', () => {
    const angles: Pick<Instructions, 'labels' | 'classifications'> = {
      labels: [
        ...instructions.labels,
        { id: 'tilt', name: 'Tilt', color: '#aaaa00', tool: 'angle', required: false, attributes: [] },
        { id: 'edge', name: 'Edge', color: '#00aaaa', tool: 'polyline', required: false, attributes: [] },
      ],
      classifications: [],
    };
    const metrics = [
      pair('abs_difference', 3, 0, 1, 2),
      pair('abs_difference', 3, 0, 1, 4), // a second image of the same pair
      pair('abs_difference', 4, 1, 2, 200), // beyond what an angle difference can be: clamped
      pair('f1', 5, 0, 2, 0.5),
    ];
    const out = pairwiseAgreement({ instructions: angles, metrics, annotatorIds: ids });
    expect(out.get('ruler')).toEqual({
      metric: 'length_diff_mm',
      pairs: [{ annotatorA: A, annotatorB: B, value: 3 }],
    });
    expect(out.get('tilt')).toEqual({
      metric: 'angle_diff_deg',
      pairs: [{ annotatorA: B, annotatorB: C, value: 180 }],
    });
    expect(out.get('edge')).toEqual({ metric: 'f1', pairs: [{ annotatorA: A, annotatorB: C, value: 0.5 }] });
  });

  it('keeps a pair whose metric was undefined on every image as null, and averages the defined ones', () => {
    const metrics = [
      pair('dice', 1, 0, 1, null),
      pair('dice', 1, 0, 1, null),
      pair('f1', 2, 0, 1, null),
      pair('f1', 2, 0, 1, 0.4),
    ];
    const out = pairwiseAgreement({ instructions, metrics, annotatorIds: ids.slice(0, 2) });
    expect(out.get('liver')!.pairs).toEqual([{ annotatorA: A, annotatorB: B, value: null }]);
    expect(out.get('nodule')!.pairs).toEqual([{ annotatorA: A, annotatorB: B, value: 0.4 }]);
  });

  it('falls back to percent agreement for a classification whose kappa is undefined for a pair', () => {
    const docs: AnnotationDoc[] = [
      { shapes: [], masks: [], classifications: { quality: { study: 'ok' } } },
      { shapes: [], masks: [], classifications: { quality: { study: 'ok' } } },
      { shapes: [], masks: [], classifications: { quality: { study: 'bad' } } },
    ];
    const metrics = [pair('kappa', 4, 0, 1, null), pair('kappa', 4, 0, 2, 0), pair('kappa', 4, 1, 2, 0)];
    const out = pairwiseAgreement({ instructions, metrics, annotatorIds: ids, docs });
    expect(out.get('quality')).toEqual({
      metric: 'percent_agreement',
      pairs: [
        { annotatorA: A, annotatorB: B, value: 1 },
        { annotatorA: A, annotatorB: C, value: 0 },
        { annotatorA: B, annotatorB: C, value: 0 },
      ],
    });
  });

  it('has no matrix with a single annotator, and ignores raters beyond the ids it was given', () => {
    expect(
      pairwiseAgreement({ instructions, metrics: [pair('dice', 1, 0, 1, 1)], annotatorIds: [A] }).size,
    ).toBe(0);
    const out = pairwiseAgreement({
      instructions,
      metrics: [pair('dice', 1, 0, 1, 0.5), pair('dice', 1, 0, 2, 0.9)],
      annotatorIds: [A, B],
    });
    expect(out.get('liver')!.pairs).toEqual([{ annotatorA: A, annotatorB: B, value: 0.5 }]);
  });

  it('agrees with computeTaskQuality: the mean of each matrix is the per-label mean the site sends', () => {
    const image = { seriesUid: '1.2.3', sopInstanceUid: '1.2.3.1', frame: 1 };
    const box = (id: string, x: number): Shape => ({
      id,
      labelId: 'nodule',
      kind: 'bbox',
      image,
      points: [
        [x, 0],
        [x + 4, 4],
      ],
      attributes: {},
    });
    // A 4×4 single-slice series; each rater paints some of its first row.
    const mask = (pixels: number) => ({
      labelId: 'liver',
      rows: 4,
      columns: 4,
      slices: [{ image, runs: [0, pixels, 16 - pixels] }],
      attributes: {},
    });
    const raters: AnnotationDoc[] = [
      {
        shapes: [box('a', 0)],
        masks: [mask(4)],
        classifications: {
          quality: { [`${image.sopInstanceUid}/1`]: 'ok', other: 'bad' },
          size: { study: 10 },
        },
      },
      {
        shapes: [box('b', 1)],
        masks: [mask(2)],
        classifications: {
          quality: { [`${image.sopInstanceUid}/1`]: 'ok', other: 'ok' },
          size: { study: 12 },
        },
      },
      {
        shapes: [box('c', 8)],
        masks: [mask(3)],
        classifications: {
          quality: { [`${image.sopInstanceUid}/1`]: 'bad', other: 'bad' },
          size: { study: 15.5 },
        },
      },
    ];
    const grid = seriesGrid([
      { seriesUid: '1.2.3', sopInstanceUid: '1.2.3.1', frames: 1, rows: 4, columns: 4, pixelSpacing: [1, 1] },
    ]);
    const result = computeTaskQuality({
      instructions: { text: '', examples: [], ...instructions },
      raters,
      grids: new Map([['1.2.3', grid]]),
    });
    const out = pairwiseAgreement({
      instructions,
      metrics: result.summary.metrics,
      annotatorIds: ids,
      docs: raters,
    });
    const meanOf = (labelId: string) => {
      const values = out.get(labelId)!.pairs.map((p) => p.value as number);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    const sent = (labelId: string) => result.labels.find((l) => l.labelId === labelId)!.metrics;
    expect(out.get('liver')!.pairs).toHaveLength(3);
    expect(meanOf('liver')).toBeCloseTo(sent('liver').dice!, 10);
    expect(meanOf('nodule')).toBeCloseTo(sent('nodule').f1!, 10);
    // The numeric answer's differences, by hand: |10 - 12|, |10 - 15.5|, |12 - 15.5|.
    expect(out.get('size')!.pairs.map((p) => p.value)).toEqual([2, 5.5, 3.5]);
    expect(out.get('liver')!.pairs[0]).toEqual({
      annotatorA: A,
      annotatorB: B,
      value: expect.closeTo((2 * 2) / 6, 10),
    });
  });
});
