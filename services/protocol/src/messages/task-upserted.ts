import { z } from 'zod';
import { intIn } from '../bounded-number.ts';
import { labelIdSchema, projectId, seriesId, studyId, taskId, userId } from '../ids.ts';

export const TASK_STATUSES = [
  'pending',
  'in_progress',
  'submitted',
  'in_review',
  'rework',
  'accepted',
  'escalated',
  'cancelled',
] as const;

// site→cloud: a task was created or changed. `revision` grows with every change so the cloud
// can ignore an older state that arrives after a newer one was applied.
export const taskUpsertedSchema = z.strictObject({
  taskId,
  projectId,
  studyId,
  seriesIds: z.array(seriesId).max(1000),
  status: z.enum(TASK_STATUSES),
  assigneeIds: z.array(userId).max(16),
  labelIds: z.array(labelIdSchema).max(256),
  isGold: z.boolean(),
  revision: intIn(1, Number.MAX_SAFE_INTEGER),
});
export type TaskUpserted = z.infer<typeof taskUpsertedSchema>;
