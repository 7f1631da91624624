import { hungarian } from './hungarian.ts';
import { angleDifferenceDeg, type DetectionAgreement, type MatchedPair } from './object-matching.ts';
import {
  angleAtVertexDeg,
  type PolylineMm,
  polylineDistanceMm,
  polylineLengthMm,
} from './polyline-distance.ts';
import type { Comparison, MetricValue } from './summary.ts';
import { SummaryBuilder } from './summary.ts';

/**
 * Quality of polylines and of length and angle measurements, one label on one image per call
 * (the caller groups shapes by SOP instance and frame and converts pixels to mm). Lines are
 * matched one-to-one between two raters by minimal total symmetric mean distance (Hungarian);
 * matched pairs within maxDistanceMm are true positives.
 */

export interface LineAgreement extends DetectionAgreement {
  /** Mean symmetric Hausdorff distance over the true-positive pairs (mm); null when none. */
  meanHausdorffMm: number | null;
}

/** Matches two raters' lines; `value` of a pair is its symmetric mean distance in mm. */
export function matchPolylines(
  ref: readonly PolylineMm[],
  test: readonly PolylineMm[],
  maxDistanceMm: number,
): LineAgreement {
  const d = ref.map((a) => test.map((b) => polylineDistanceMm(a, b)));
  const assign = hungarian(d.map((row) => row.map((x) => x.meanMm)));
  const pairs: MatchedPair[] = [];
  let hausdorff = 0;
  assign.forEach((j, i) => {
    if (j < 0) return;
    const pair = d[i]![j]!;
    pairs.push({ ref: i, test: j, value: pair.meanMm });
    if (pair.meanMm <= maxDistanceMm) hausdorff += pair.hausdorffMm;
  });
  const hits = pairs.filter((p) => p.value <= maxDistanceMm);
  const tp = hits.length;
  const both = ref.length === 0 && test.length === 0;
  return {
    pairs,
    truePositives: tp,
    precision: both ? 1 : test.length === 0 ? null : tp / test.length,
    recall: both ? 1 : ref.length === 0 ? null : tp / ref.length,
    f1: both ? 1 : (2 * tp) / (ref.length + test.length),
    meanMatchedValue: tp === 0 ? null : hits.reduce((s, p) => s + p.value, 0) / tp,
    meanHausdorffMm: tp === 0 ? null : hausdorff / tp,
  };
}

function addDetection(
  out: SummaryBuilder,
  c: Comparison,
  label: number,
  a: number,
  b: number | null,
  d: LineAgreement,
) {
  out.add('f1', c, label, a, b, d.f1);
  out.add('precision', c, label, a, b, d.precision);
  out.add('recall', c, label, a, b, d.recall);
}

/**
 * Polylines: pairwise and vs gold F1 within maxDistanceMm (symmetric mean distance), the mean
 * distance ('mean_distance_mm') and mean Hausdorff distance ('hd_max_mm') of matched lines.
 */
export function polylineQuality(
  label: number,
  raters: readonly (readonly PolylineMm[])[],
  maxDistanceMm: number,
  gold?: readonly PolylineMm[],
): MetricValue[] {
  const out = new SummaryBuilder();
  const add = (c: Comparison, a: number, b: number | null, d: LineAgreement) => {
    addDetection(out, c, label, a, b, d);
    out.add('mean_distance_mm', c, label, a, b, d.meanMatchedValue);
    out.add('hd_max_mm', c, label, a, b, d.meanHausdorffMm);
  };
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++)
      add('pair', i, j, matchPolylines(raters[i]!, raters[j]!, maxDistanceMm));
    if (gold) add('vs_gold', i, null, matchPolylines(gold, raters[i]!, maxDistanceMm));
  }
  return out.metrics;
}

export type MeasurementKind = 'length' | 'angle';

/** A length's value in mm (two points) or an angle's in degrees (three points, vertex in the middle). */
export function measurementValue(kind: MeasurementKind, points: PolylineMm): number {
  return kind === 'length' ? polylineLengthMm(points.slice(0, 2)) : angleAtVertexDeg(points);
}

/**
 * Length or angle measurements: matched like polylines (the same structure measured), then the
 * mean absolute difference of the matched values ('abs_difference': mm for lengths, degrees the
 * short way round for angles), with F1 of the matching, pairwise and vs gold.
 */
export function measurementQuality(
  label: number,
  kind: MeasurementKind,
  raters: readonly (readonly PolylineMm[])[],
  maxDistanceMm: number,
  gold?: readonly PolylineMm[],
): MetricValue[] {
  const out = new SummaryBuilder();
  const difference = kind === 'angle' ? angleDifferenceDeg : (a: number, b: number) => Math.abs(a - b);
  const add = (
    c: Comparison,
    a: number,
    b: number | null,
    ref: readonly PolylineMm[],
    test: readonly PolylineMm[],
  ) => {
    const d = matchPolylines(ref, test, maxDistanceMm);
    addDetection(out, c, label, a, b, d);
    const diffs = d.pairs
      .filter((p) => p.value <= maxDistanceMm)
      .map((p) => difference(measurementValue(kind, ref[p.ref]!), measurementValue(kind, test[p.test]!)))
      .filter(Number.isFinite);
    out.add(
      'abs_difference',
      c,
      label,
      a,
      b,
      diffs.length ? diffs.reduce((s, x) => s + x, 0) / diffs.length : null,
    );
  };
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) add('pair', i, j, raters[i]!, raters[j]!);
    if (gold) add('vs_gold', i, null, gold, raters[i]!);
  }
  return out.metrics;
}
