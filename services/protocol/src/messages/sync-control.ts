import { z } from 'zod';
import { intIn } from '../bounded-number.ts';

const seq = intIn(0, Number.MAX_SAFE_INTEGER);

// Both directions, unsequenced (envelope seq 0): flow control for the sequenced stream going the
// other way. Both are cumulative and idempotent, so a replayed one does no harm.

/** "I have applied every message of yours up to and including upToSeq." */
export const syncAckSchema = z.strictObject({ upToSeq: seq });
export type SyncAck = z.infer<typeof syncAckSchema>;

/** "I saw a gap: send again everything of yours from fromSeq on." */
export const syncResendSchema = z.strictObject({ fromSeq: intIn(1, Number.MAX_SAFE_INTEGER) });
export type SyncResend = z.infer<typeof syncResendSchema>;
