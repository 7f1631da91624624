import { hungarian } from './hungarian.ts';

export interface MatchedPair {
  /** Index into the reference list. */
  ref: number;
  /** Index into the test list. */
  test: number;
  /** IoU (for regions) or distance in mm (for points) of the pair. */
  value: number;
}

export interface DetectionAgreement {
  /** Optimal one-to-one pairs (all of them, also those below the threshold). */
  pairs: MatchedPair[];
  truePositives: number;
  /** TP / |test|; null when test is empty and ref is not. */
  precision: number | null;
  /** TP / |ref|; null when ref is empty and test is not. */
  recall: number | null;
  /** 2TP / (|ref| + |test|); 1 when both lists are empty (they agree there is nothing). */
  f1: number;
  /** Mean value over the pairs counted as true positives; null when there are none. */
  meanMatchedValue: number | null;
}

function summarise(pairs: MatchedPair[], isHit: (v: number) => boolean, nRef: number, nTest: number) {
  const hits = pairs.filter((p) => isHit(p.value));
  const tp = hits.length;
  const both = nRef === 0 && nTest === 0;
  return {
    pairs,
    truePositives: tp,
    precision: both ? 1 : nTest === 0 ? null : tp / nTest,
    recall: both ? 1 : nRef === 0 ? null : tp / nRef,
    f1: both ? 1 : (2 * tp) / (nRef + nTest),
    meanMatchedValue: tp === 0 ? null : hits.reduce((s, p) => s + p.value, 0) / tp,
  };
}

/**
 * Matches regions (boxes, polygons) of two annotators one-to-one by maximising total IoU
 * (Hungarian on 1 − IoU), then counts pairs with IoU ≥ threshold as true positives. Assigning
 * first and thresholding after keeps the matching optimal rather than greedy.
 */
export function matchByIou<T>(
  ref: readonly T[],
  test: readonly T[],
  iou: (a: T, b: T) => number,
  threshold = 0.5,
): DetectionAgreement {
  const m = ref.map((a) => test.map((b) => iou(a, b)));
  const assign = hungarian(m.map((row) => row.map((v) => 1 - v)));
  const pairs: MatchedPair[] = [];
  assign.forEach((j, i) => {
    if (j >= 0) pairs.push({ ref: i, test: j, value: m[i]![j]! });
  });
  return summarise(pairs, (v) => v >= threshold, ref.length, test.length);
}

/** A point in mm (convert pixel/voxel indices with pointToMm first). */
export interface PointMm {
  x: number;
  y: number;
  z?: number;
}

export function pointToMm(p: { x: number; y: number; z?: number }, spacing: readonly number[]): PointMm {
  return { x: p.x * spacing[0]!, y: p.y * spacing[1]!, z: (p.z ?? 0) * (spacing[2] ?? 1) };
}

export function pointDistanceMm(a: PointMm, b: PointMm): number {
  return Math.hypot(a.x - b.x, a.y - b.y, (a.z ?? 0) - (b.z ?? 0));
}

/**
 * Matches points one-to-one minimising total distance; pairs within maxDistanceMm are true
 * positives, and meanMatchedValue is their mean distance in mm.
 */
export function matchPoints(
  ref: readonly PointMm[],
  test: readonly PointMm[],
  maxDistanceMm: number,
): DetectionAgreement {
  const d = ref.map((a) => test.map((b) => pointDistanceMm(a, b)));
  const assign = hungarian(d);
  const pairs: MatchedPair[] = [];
  assign.forEach((j, i) => {
    if (j >= 0) pairs.push({ ref: i, test: j, value: d[i]![j]! });
  });
  return summarise(pairs, (v) => v <= maxDistanceMm, ref.length, test.length);
}

/** Absolute difference of two length measurements (same unit in, same unit out). */
export function lengthDifference(a: number, b: number): number {
  return Math.abs(a - b);
}

/** Absolute difference of two angles in degrees, the short way round the circle (0..180). */
export function angleDifferenceDeg(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}
