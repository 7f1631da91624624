import { z } from 'zod';
import { intIn } from '../bounded-number.ts';
import { queueNameSchema } from '../ids.ts';

const count = intIn(0, 1_000_000_000);
const seq = intIn(0, Number.MAX_SAFE_INTEGER);

// site→cloud: periodic health, so the QC dashboard can show lag and backlog per site.
export const siteStatusSchema = z.strictObject({
  /** Semantic version of the site software (no build metadata, which could be anything). */
  softwareVersion: z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,6}(-[0-9A-Za-z.]{1,32})?$/),
  uptimeS: intIn(0, 3_153_600_000),
  outbox: z.strictObject({
    pending: count,
    /** Age of the oldest unacknowledged message; null when the outbox is empty. */
    oldestPendingAgeMs: intIn(0, 31_536_000_000).nullable(),
    lastAckedSeq: seq,
  }),
  queues: z
    .array(
      z.strictObject({
        name: queueNameSchema,
        waiting: count,
        active: count,
        delayed: count,
        failed: count,
      }),
    )
    .max(32),
});
export type SiteStatus = z.infer<typeof siteStatusSchema>;
