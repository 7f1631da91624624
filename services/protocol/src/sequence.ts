import { type Rejection, reject } from './reject-reason.ts';

export interface SequenceGap extends Rejection {
  readonly reason: 'SEQUENCE_GAP';
  /** The receiver should send sync.resend { fromSeq: expectedSeq } instead of applying. */
  readonly expectedSeq: number;
}

/**
 * `highWaterMark` is the highest sequence already applied from this peer in this direction (0 when
 * none), as persisted by the receiver in the same transaction that applied it.
 */
export function checkSequence(seq: number, highWaterMark: number): Rejection | SequenceGap | null {
  if (seq <= highWaterMark) return reject('REPLAYED', `seq ${seq} <= applied ${highWaterMark}`, true);
  if (seq > highWaterMark + 1) {
    return {
      ...reject('SEQUENCE_GAP', `seq ${seq}, expected ${highWaterMark + 1}`, true),
      expectedSeq: highWaterMark + 1,
    } as SequenceGap;
  }
  return null;
}
