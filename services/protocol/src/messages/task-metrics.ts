import { z } from 'zod';
import { intIn, numberIn } from '../bounded-number.ts';
import { labelIdSchema, projectId, taskId, userId } from '../ids.ts';
import { metricValuesSchema } from '../metrics.ts';

// site→cloud: agreement numbers for one task, per label and per annotator, computed at the site
// from annotations that never leave it.
export const taskMetricsSchema = z.strictObject({
  taskId,
  projectId,
  revision: intIn(1, Number.MAX_SAFE_INTEGER),
  labels: z.array(z.strictObject({ labelId: labelIdSchema, metrics: metricValuesSchema })).max(256),
  annotators: z
    .array(
      z.strictObject({
        annotatorId: userId,
        /** Overall score in [0, 1] (e.g. mean Dice against the consensus). */
        score: numberIn(0, 1),
        metrics: metricValuesSchema,
      }),
    )
    .max(16),
});
export type TaskMetrics = z.infer<typeof taskMetricsSchema>;
