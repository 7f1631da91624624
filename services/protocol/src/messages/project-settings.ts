import { z } from 'zod';
import { intIn, numberIn } from '../bounded-number.ts';
import { projectId } from '../ids.ts';

const unit = numberIn(0, 1);

// cloud→site: QC settings of a project. `revision` orders them; the site keeps the highest.
export const projectSettingsSchema = z.strictObject({
  projectId,
  revision: intIn(1, Number.MAX_SAFE_INTEGER),
  /** How many annotators label each task. */
  consensusSize: intIn(1, 5),
  /** Fraction of tasks that are gold-standard checks. */
  goldRate: unit,
  /** A task is flagged for QC when any set threshold is crossed. */
  flagThresholds: z.strictObject({
    diceBelow: unit.optional(),
    kappaBelow: numberIn(-1, 1).optional(),
    hd95MmAbove: numberIn(0, 10_000).optional(),
    annotatorScoreBelow: unit.optional(),
  }),
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
