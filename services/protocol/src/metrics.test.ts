import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, metricValuesSchema } from './metrics.ts';

describe('metric names and ranges', () => {
  it('accepts the polyline, length and angle metrics within their ranges', () => {
    expect(METRIC_NAMES).toEqual(
      expect.arrayContaining(['hausdorff_mm', 'length_diff_mm', 'angle_diff_deg']),
    );
    expect(metricValuesSchema.parse({ hausdorff_mm: 3.5, length_diff_mm: 0, angle_diff_deg: 180 })).toEqual({
      hausdorff_mm: 3.5,
      length_diff_mm: 0,
      angle_diff_deg: 180,
    });
  });

  it('rejects an angle difference beyond 180°, a negative distance and an unknown name', () => {
    expect(metricValuesSchema.safeParse({ angle_diff_deg: 181 }).success).toBe(false);
    expect(metricValuesSchema.safeParse({ length_diff_mm: -1 }).success).toBe(false);
    expect(metricValuesSchema.safeParse({ hausdorff_mm: -0.1 }).success).toBe(false);
    expect(metricValuesSchema.safeParse({ polyline_magic: 1 }).success).toBe(false);
  });
});
