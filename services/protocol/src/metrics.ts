import { z } from 'zod';

// Agreement metric names and the range each value must fall in, so that a receiver never stores
// a Dice of 7 or an HD95 of -3. Ranges are closed intervals.
export const METRIC_RANGES = {
  dice: [0, 1],
  iou: [0, 1],
  hd95_mm: [0, 10_000],
  assd_mm: [0, 10_000],
  volume_ml: [0, 1_000_000],
  volume_diff_ml: [-1_000_000, 1_000_000],
  cohen_kappa: [-1, 1],
  fleiss_kappa: [-1, 1],
  krippendorff_alpha: [-1, 1],
  percent_agreement: [0, 1],
  staple_sensitivity: [0, 1],
  staple_specificity: [0, 1],
  annotator_score: [0, 1],
  f1: [0, 1],
  accuracy: [0, 1],
  mean_distance_mm: [0, 10_000],
  // Polylines: symmetric Hausdorff distance of matched lines; measurements: absolute differences
  // of matched lengths (mm) and angles (degrees, the short way round: at most 180).
  hausdorff_mm: [0, 10_000],
  length_diff_mm: [0, 10_000],
  angle_diff_deg: [0, 180],
  // Numeric classifications: mean absolute difference of two annotators' answers, in the
  // classification's own unit (which the site's instructions name; the cloud shows the number).
  number_diff: [0, 1_000_000_000],
} as const satisfies Record<string, readonly [number, number]>;

export type MetricName = keyof typeof METRIC_RANGES;
export const METRIC_NAMES = Object.keys(METRIC_RANGES) as [MetricName, ...MetricName[]];
export const metricNameSchema = z.enum(METRIC_NAMES);

/** A map of metric name to value; unknown names and out-of-range values are rejected. */
export const metricValuesSchema = z.partialRecord(metricNameSchema, z.number()).superRefine((values, ctx) => {
  for (const [name, value] of Object.entries(values) as [MetricName, number | undefined][]) {
    if (value === undefined) continue;
    const [min, max] = METRIC_RANGES[name];
    if (value < min || value > max) {
      ctx.addIssue({ code: 'custom', path: [name], message: `outside [${min}, ${max}]` });
    }
  }
});
export type MetricValues = z.infer<typeof metricValuesSchema>;
