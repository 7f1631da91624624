import { z } from 'zod';

/**
 * The quality result as numbers only, fit for the signed site→cloud channel: metric and
 * comparison names are a fixed enum, raters are indices into the caller's list (the caller maps
 * them to pseudonymous ids), labels are ontology label numbers. No free text can get in.
 */
export const METRIC_NAMES = [
  'dice',
  'iou',
  'hd95_mm',
  'hd_max_mm',
  'assd_mm',
  'volume_ml',
  'volume_diff_ml',
  'volume_diff_rel',
  'sensitivity',
  'specificity',
  'precision',
  'recall',
  'f1',
  'accuracy',
  'kappa',
  'fleiss_kappa',
  'alpha_nominal',
  'alpha_interval',
  'mean_distance_mm',
  'abs_difference',
  'staple_sensitivity',
  'staple_specificity',
  'staple_prior',
] as const;
export const metricNameSchema = z.enum(METRIC_NAMES);
export type MetricName = z.infer<typeof metricNameSchema>;

/**
 * What a value compares: two raters ('pair'), one rater against a reference ('vs_*'),
 * all raters at once ('all_raters', e.g. Fleiss' kappa), one rater alone ('rater', e.g. volume),
 * or a STAPLE estimate ('staple', per rater or, without rater, the prior).
 */
export const COMPARISONS = [
  'pair',
  'vs_majority',
  'vs_staple',
  'vs_gold',
  'all_raters',
  'rater',
  'staple',
] as const;
export const comparisonSchema = z.enum(COMPARISONS);
export type Comparison = z.infer<typeof comparisonSchema>;

const raterIndex = z.number().int().min(0).max(63);

export const metricValueSchema = z.strictObject({
  metric: metricNameSchema,
  comparison: comparisonSchema,
  /** Ontology label number; 0 = the measure covers all labels of the task at once. */
  label: z.number().int().min(0).max(255),
  raterA: raterIndex.nullable(),
  raterB: raterIndex.nullable(),
  /** null when the metric is undefined (e.g. HD95 with an empty mask, kappa with no variation). */
  value: z.number().finite().nullable(),
});
export type MetricValue = z.infer<typeof metricValueSchema>;

export const qualitySummarySchema = z.strictObject({
  version: z.literal(1),
  raters: z.number().int().min(1).max(64),
  labels: z.array(z.number().int().min(0).max(255)).max(256),
  metrics: z.array(metricValueSchema).max(100_000),
});
export type QualitySummary = z.infer<typeof qualitySummarySchema>;

/** Collects metric values; drops nothing, turns NaN/±Infinity into null so the summary validates. */
export class SummaryBuilder {
  readonly metrics: MetricValue[] = [];
  add(
    metric: MetricName,
    comparison: Comparison,
    label: number,
    raterA: number | null,
    raterB: number | null,
    value: number | null,
  ): void {
    const v = value === null || !Number.isFinite(value) ? null : value;
    this.metrics.push({ metric, comparison, label, raterA, raterB, value: v });
  }
  build(raters: number, labels: readonly number[]): QualitySummary {
    return qualitySummarySchema.parse({ version: 1, raters, labels: [...labels], metrics: this.metrics });
  }
}
