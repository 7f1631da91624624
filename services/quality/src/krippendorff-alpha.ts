import type { Rating } from './cohen-kappa.ts';

export type AlphaMetric = 'nominal' | 'interval';

/**
 * Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability") from
 * reliability data ratings[rater][unit]; null/undefined = missing. Units with fewer than two
 * values are not pairable and are skipped. α = 1 − D_o / D_e over the coincidence matrix.
 * 'interval' needs numeric values and uses δ² = (c − k)². null when D_e = 0 (no variation at all).
 */
export function krippendorffAlpha(
  ratings: readonly (readonly Rating[])[],
  metric: AlphaMetric,
): number | null {
  const raters = ratings.length;
  const units = raters === 0 ? 0 : ratings[0]!.length;
  for (const r of ratings) if (r.length !== units) throw new RangeError('every rater row needs every unit');
  const index = new Map<number | string, number>();
  const valueAt: (number | string)[] = [];
  const unitValues: number[][] = [];
  for (let u = 0; u < units; u++) {
    const vs: number[] = [];
    for (let r = 0; r < raters; r++) {
      const v = ratings[r]![u];
      if (v === null || v === undefined) continue;
      if (metric === 'interval' && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new RangeError('interval alpha needs finite numbers');
      }
      let i = index.get(v);
      if (i === undefined) {
        i = valueAt.length;
        index.set(v, i);
        valueAt.push(v);
      }
      vs.push(i);
    }
    if (vs.length >= 2) unitValues.push(vs);
  }
  const k = valueAt.length;
  const o = new Float64Array(k * k);
  for (const vs of unitValues) {
    const w = 1 / (vs.length - 1);
    for (let i = 0; i < vs.length; i++) {
      for (let j = 0; j < vs.length; j++) if (i !== j) o[vs[i]! * k + vs[j]!]! += w;
    }
  }
  const nc = new Float64Array(k);
  let n = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) nc[c]! += o[c * k + d]!;
    n += nc[c]!;
  }
  if (n <= 1) return null;
  const delta2 = (c: number, d: number): number => {
    if (metric === 'nominal') return c === d ? 0 : 1;
    const t = (valueAt[c] as number) - (valueAt[d] as number);
    return t * t;
  };
  let dObs = 0;
  let dExp = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      const dd = delta2(c, d);
      if (dd === 0) continue;
      dObs += o[c * k + d]! * dd;
      dExp += nc[c]! * nc[d]! * dd;
    }
  }
  if (dExp === 0) return null;
  return 1 - ((n - 1) * dObs) / dExp;
}
