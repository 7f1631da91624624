import type { Box2 } from './box-iou.ts';
import { boxIou } from './box-iou.ts';
import type { Rating } from './cohen-kappa.ts';
import { cohenKappa } from './cohen-kappa.ts';
import { fleissKappa } from './fleiss-kappa.ts';
import { krippendorffAlpha } from './krippendorff-alpha.ts';
import type { DetectionAgreement, PointMm } from './object-matching.ts';
import { matchByIou, matchPoints } from './object-matching.ts';
import type { Polygon } from './polygon-iou.ts';
import { polygonIou } from './polygon-iou.ts';
import type { Comparison, MetricValue } from './summary.ts';
import { SummaryBuilder } from './summary.ts';

/**
 * Per-label quality of non-mask annotations, as summary metric values. Raters are indices into
 * `raters`; objects of one label must already be grouped per image (same SOP instance and frame)
 * by the caller — pass one call per image, or concatenate objects whose coordinates cannot collide.
 */

export type Region = { kind: 'box'; box: Box2 } | { kind: 'polygon'; points: Polygon };

export function regionIou(a: Region, b: Region): number {
  if (a.kind === 'box' && b.kind === 'box') return boxIou(a.box, b.box);
  return polygonIou(asPolygon(a), asPolygon(b));
}

function asPolygon(r: Region): Polygon {
  if (r.kind === 'polygon') return r.points;
  const { x0, y0, x1, y1 } = r.box;
  return [x0, y0, x1, y0, x1, y1, x0, y1];
}

function addDetection(
  out: SummaryBuilder,
  c: Comparison,
  label: number,
  a: number,
  b: number | null,
  d: DetectionAgreement,
  valueMetric: 'iou' | 'mean_distance_mm',
) {
  out.add('f1', c, label, a, b, d.f1);
  out.add('precision', c, label, a, b, d.precision);
  out.add('recall', c, label, a, b, d.recall);
  out.add(valueMetric, c, label, a, b, d.meanMatchedValue);
}

/** Boxes/polygons: pairwise and vs gold F1 at IoU ≥ threshold with optimal matching, mean matched IoU. */
export function regionQuality(
  label: number,
  raters: readonly (readonly Region[])[],
  gold?: readonly Region[],
  threshold = 0.5,
): MetricValue[] {
  const out = new SummaryBuilder();
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) {
      addDetection(out, 'pair', label, i, j, matchByIou(raters[i]!, raters[j]!, regionIou, threshold), 'iou');
    }
    if (gold)
      addDetection(out, 'vs_gold', label, i, null, matchByIou(gold, raters[i]!, regionIou, threshold), 'iou');
  }
  return out.metrics;
}

/** Points (in mm): pairwise and vs gold F1 within maxDistanceMm, mean matched distance. */
export function pointQuality(
  label: number,
  raters: readonly (readonly PointMm[])[],
  maxDistanceMm: number,
  gold?: readonly PointMm[],
): MetricValue[] {
  const out = new SummaryBuilder();
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) {
      addDetection(
        out,
        'pair',
        label,
        i,
        j,
        matchPoints(raters[i]!, raters[j]!, maxDistanceMm),
        'mean_distance_mm',
      );
    }
    if (gold)
      addDetection(
        out,
        'vs_gold',
        label,
        i,
        null,
        matchPoints(gold, raters[i]!, maxDistanceMm),
        'mean_distance_mm',
      );
  }
  return out.metrics;
}

/**
 * Classifications and categorical attributes, ratings[rater][item] (null = not answered):
 * pairwise Cohen's kappa, Fleiss' kappa over items every rater answered, Krippendorff's alpha
 * (nominal) with missing values, and per rater accuracy (an unanswered gold item counts as wrong)
 * and Cohen's kappa (over items both answered) against gold.
 */
export function categoricalQuality(
  label: number,
  ratings: readonly (readonly Rating[])[],
  gold?: readonly Rating[],
): MetricValue[] {
  const out = new SummaryBuilder();
  const r = ratings.length;
  for (let i = 0; i < r; i++) {
    for (let j = i + 1; j < r; j++)
      out.add('kappa', 'pair', label, i, j, cohenKappa(ratings[i]!, ratings[j]!));
  }
  const items = r === 0 ? 0 : ratings[0]!.length;
  const complete: Rating[][] = [];
  for (let u = 0; u < items; u++) {
    const row = ratings.map((x) => x[u]);
    if (row.every((v) => v !== null && v !== undefined)) complete.push(row);
  }
  if (r >= 2)
    out.add('fleiss_kappa', 'all_raters', label, null, null, complete.length ? fleissKappa(complete) : null);
  out.add('alpha_nominal', 'all_raters', label, null, null, krippendorffAlpha(ratings, 'nominal'));
  if (gold) {
    for (let i = 0; i < r; i++) {
      let n = 0;
      let hit = 0;
      gold.forEach((g, u) => {
        const v = ratings[i]![u];
        if (g === null || g === undefined) return;
        n++;
        if (v === g) hit++;
      });
      out.add('accuracy', 'vs_gold', label, i, null, n ? hit / n : null);
      out.add('kappa', 'vs_gold', label, i, null, cohenKappa(gold, ratings[i]!));
    }
  }
  return out.metrics;
}

/**
 * Numeric attributes and length/angle measurements, values[rater][item] (null = missing):
 * Krippendorff's alpha (interval), pairwise and vs gold mean absolute difference.
 * For angles pass `difference = angleDifferenceDeg` so 359° and 1° differ by 2°.
 */
export function numericQuality(
  label: number,
  values: readonly (readonly (number | null)[])[],
  gold?: readonly (number | null)[],
  difference: (a: number, b: number) => number = (a, b) => Math.abs(a - b),
): MetricValue[] {
  const out = new SummaryBuilder();
  const meanDiff = (a: readonly (number | null)[], b: readonly (number | null)[]): number | null => {
    let s = 0;
    let n = 0;
    for (let u = 0; u < a.length; u++) {
      const x = a[u];
      const y = b[u];
      if (x === null || x === undefined || y === null || y === undefined) continue;
      s += difference(x, y);
      n++;
    }
    return n ? s / n : null;
  };
  out.add('alpha_interval', 'all_raters', label, null, null, krippendorffAlpha(values, 'interval'));
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      out.add('abs_difference', 'pair', label, i, j, meanDiff(values[i]!, values[j]!));
    }
    if (gold) out.add('abs_difference', 'vs_gold', label, i, null, meanDiff(values[i]!, gold));
  }
  return out.metrics;
}
