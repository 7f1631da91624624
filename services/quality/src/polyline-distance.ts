import type { PointMm } from './object-matching.ts';

/** An open polyline in mm (in-plane: x along columns, y along rows), at least one point. */
export type PolylineMm = readonly PointMm[];

export interface PolylineDistance {
  /** Mean of the two directed mean distances (each the length-weighted mean along one line to the other). */
  meanMm: number;
  /** Symmetric Hausdorff distance: the larger of the two directed maxima. */
  hausdorffMm: number;
}

const dist = (a: PointMm, b: PointMm) => Math.hypot(a.x - b.x, a.y - b.y, (a.z ?? 0) - (b.z ?? 0));

/** Distance from p to the segment ab (to a itself when the segment has no length). */
export function pointSegmentDistanceMm(p: PointMm, a: PointMm, b: PointMm): number {
  const [dx, dy, dz] = [b.x - a.x, b.y - a.y, (b.z ?? 0) - (a.z ?? 0)];
  const len2 = dx * dx + dy * dy + dz * dz;
  const t =
    len2 === 0
      ? 0
      : Math.min(
          1,
          Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy + ((p.z ?? 0) - (a.z ?? 0)) * dz) / len2),
        );
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy), (p.z ?? 0) - ((a.z ?? 0) + t * dz));
}

function pointPolylineDistanceMm(p: PointMm, line: PolylineMm): number {
  if (line.length === 1) return dist(p, line[0]!);
  let best = Infinity;
  for (let i = 1; i < line.length; i++)
    best = Math.min(best, pointSegmentDistanceMm(p, line[i - 1]!, line[i]!));
  return best;
}

export function polylineLengthMm(line: PolylineMm): number {
  let s = 0;
  for (let i = 1; i < line.length; i++) s += dist(line[i - 1]!, line[i]!);
  return s;
}

/**
 * Directed distance from line `a` to line `b`: `a` is sampled every ≤ stepMm along its length
 * (vertices always included) and the distance to `b` integrated with the trapezoid rule, so the
 * mean is length-weighted (exact where the distance is linear between samples).
 */
function directed(a: PolylineMm, b: PolylineMm, stepMm: number): { mean: number; max: number } {
  if (a.length === 1 || polylineLengthMm(a) === 0) {
    const d = pointPolylineDistanceMm(a[0]!, b);
    return { mean: d, max: d };
  }
  let integral = 0;
  let length = 0;
  let max = 0;
  for (let i = 1; i < a.length; i++) {
    const p = a[i - 1]!;
    const q = a[i]!;
    const segment = dist(p, q);
    if (segment === 0) continue;
    const n = Math.max(1, Math.ceil(segment / stepMm));
    let previous = pointPolylineDistanceMm(p, b);
    max = Math.max(max, previous);
    for (let k = 1; k <= n; k++) {
      const t = k / n;
      const s = {
        x: p.x + t * (q.x - p.x),
        y: p.y + t * (q.y - p.y),
        z: (p.z ?? 0) + t * ((q.z ?? 0) - (p.z ?? 0)),
      };
      const d = pointPolylineDistanceMm(s, b);
      integral += ((previous + d) / 2) * (segment / n);
      max = Math.max(max, d);
      previous = d;
    }
    length += segment;
  }
  return { mean: integral / length, max };
}

/** Symmetric mean and Hausdorff distances between two polylines in mm. */
export function polylineDistanceMm(a: PolylineMm, b: PolylineMm, stepMm = 0.25): PolylineDistance {
  if (a.length === 0 || b.length === 0) throw new RangeError('a polyline needs at least one point');
  const ab = directed(a, b, stepMm);
  const ba = directed(b, a, stepMm);
  return { meanMm: (ab.mean + ba.mean) / 2, hausdorffMm: Math.max(ab.max, ba.max) };
}

/** The angle at the middle point of [arm, vertex, arm] in degrees, 0..180 (NaN when an arm has no length). */
export function angleAtVertexDeg(points: readonly PointMm[]): number {
  const [a, v, b] = [points[0]!, points[1]!, points[2]!];
  const u = [a.x - v.x, a.y - v.y, (a.z ?? 0) - (v.z ?? 0)];
  const w = [b.x - v.x, b.y - v.y, (b.z ?? 0) - (v.z ?? 0)];
  const nu = Math.hypot(u[0]!, u[1]!, u[2]!);
  const nw = Math.hypot(w[0]!, w[1]!, w[2]!);
  if (nu === 0 || nw === 0) return Number.NaN;
  const cos = (u[0]! * w[0]! + u[1]! * w[1]! + u[2]! * w[2]!) / (nu * nw);
  return (Math.acos(Math.min(1, Math.max(-1, cos))) * 180) / Math.PI;
}
