// Stable reason codes for a refused incoming message. Receivers count rejections by these codes
// (a Prometheus label), so never rename one; add new ones at the end.
export const REJECT_REASONS = [
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'KEY_EXPIRED',
  'KEY_NOT_YET_VALID',
  'KEY_REVOKED',
  'REPLAYED',
  'SEQUENCE_GAP',
  'CLOCK_SKEW',
  'SCHEMA_INVALID',
  'WRONG_DIRECTION',
  'WRONG_SITE',
  'UNSUPPORTED_VERSION',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  readonly ok: false;
  readonly reason: RejectReason;
  /** For logs: field paths and limits, never a value taken from the message. */
  readonly detail: string;
  /** True when the signature was checked and valid, i.e. the key holder really sent this. */
  readonly signatureVerified: boolean;
  /**
   * Raise an alarm, not just a counter: forgery, use of a revoked key, or an authentic message
   * that breaks the schema (a buggy or compromised sender; DESIGN.md rule 3).
   */
  readonly alarm: boolean;
}

const ALWAYS_ALARM: ReadonlySet<RejectReason> = new Set(['BAD_SIGNATURE', 'KEY_REVOKED', 'WRONG_SITE']);

export function reject(reason: RejectReason, detail: string, signatureVerified = false): Rejection {
  const alarm = ALWAYS_ALARM.has(reason) || (reason === 'SCHEMA_INVALID' && signatureVerified);
  return { ok: false, reason, detail, signatureVerified, alarm };
}

/** Thrown on the sending side when the caller asks for something the protocol forbids. */
export class ProtocolError extends Error {
  constructor(
    readonly code: RejectReason | 'PHI_CANARY' | 'KEY_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
