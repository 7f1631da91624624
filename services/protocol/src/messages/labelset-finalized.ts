import { z } from 'zod';
import { annotationSetId, labelIdSchema, projectId, taskId, userId } from '../ids.ts';

export const CONSENSUS_METHODS = ['single', 'majority', 'staple', 'annotator'] as const;

// site→cloud: the final label set of a task was fixed (after a QC decision or automatically).
export const labelsetFinalizedSchema = z
  .strictObject({
    taskId,
    projectId,
    annotationSetId,
    method: z.enum(CONSENSUS_METHODS),
    /** Whose annotation was taken as final, when method is 'annotator'. */
    annotatorId: userId.optional(),
    labelIds: z.array(labelIdSchema).min(1).max(256),
  })
  .refine((b) => (b.method === 'annotator') === (b.annotatorId !== undefined), {
    path: ['annotatorId'],
    message: 'required exactly when method is annotator',
  });
export type LabelsetFinalized = z.infer<typeof labelsetFinalizedSchema>;
