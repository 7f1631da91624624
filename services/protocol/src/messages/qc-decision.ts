import { z } from 'zod';
import { intIn } from '../bounded-number.ts';
import { taskId, userId } from '../ids.ts';

/**
 * Plain text typed by a QC reviewer in the cloud (which never had PHI). Bounded, no control
 * characters other than newline and tab, so it can be stored and shown as text safely.
 */
export const plainCommentSchema = z
  .string()
  .min(1)
  .max(2000)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u0008\u000B-\u001F\u007F\u2028\u2029]*$/);

export const qcVerdictSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('accept-consensus') }),
  z.strictObject({ kind: z.literal('accept-annotator'), annotatorId: userId }),
  z.strictObject({ kind: z.literal('rework'), comment: plainCommentSchema }),
  z.strictObject({ kind: z.literal('escalate') }),
]);
export type QcVerdict = z.infer<typeof qcVerdictSchema>;

// cloud→site: a QC reviewer decided on a task. `decisionId` makes re-delivery idempotent.
export const qcDecisionSchema = z.strictObject({
  decisionId: z.string().regex(/^qc_[A-Za-z0-9_-]{16,64}$/),
  taskId,
  /** The task revision the reviewer saw; the site refuses a decision about a stale revision. */
  taskRevision: intIn(1, Number.MAX_SAFE_INTEGER),
  verdict: qcVerdictSchema,
});
export type QcDecision = z.infer<typeof qcDecisionSchema>;
