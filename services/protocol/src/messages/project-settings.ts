import { z } from 'zod';
import { projectId } from '../ids.ts';

const unit = z.number().min(0).max(1);

// cloud→site: QC settings of a project. `revision` orders them; the site keeps the highest.
export const projectSettingsSchema = z.strictObject({
  projectId,
  revision: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** How many annotators label each task. */
  consensusSize: z.number().int().min(1).max(5),
  /** Fraction of tasks that are gold-standard checks. */
  goldRate: unit,
  /** A task is flagged for QC when any set threshold is crossed. */
  flagThresholds: z.strictObject({
    diceBelow: unit.optional(),
    kappaBelow: z.number().min(-1).max(1).optional(),
    hd95MmAbove: z.number().min(0).max(10_000).optional(),
    annotatorScoreBelow: unit.optional(),
  }),
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
