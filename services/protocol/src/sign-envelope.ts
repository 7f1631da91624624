import { sign as ed25519Sign, type KeyObject } from 'node:crypto';
import { canonicalBytes } from './canonical-json.ts';
import type { Direction } from './direction.ts';
import { type Envelope, PROTOCOL_VERSION, type UnsignedEnvelope } from './envelope.ts';
import { KID_PATTERN, SITE_ID_PATTERN } from './ids.ts';
import { type BodyOf, MESSAGES, type MessageType } from './message-registry.ts';
import { ProtocolError } from './reject-reason.ts';
import { describeIssues } from './schema-issues.ts';

export interface EnvelopeFields<T extends MessageType> {
  type: T;
  body: BodyOf<T>;
  siteId: string;
  dir: Direction;
  /** From the sender's outbox; 0 for unsequenced control messages. */
  seq: number;
  kid: string;
  /**
   * Time of THIS send attempt. Sign when sending (again on every resend), not when writing the
   * outbox row: a backlog drained after an outage would otherwise fail the receiver's clock check.
   */
  sentAt?: Date | number;
}

/**
 * Builds an envelope ready to sign, refusing anything the receiver would reject as malformed:
 * body against its schema, direction allowed for the type, seq rule, site and key id shape.
 * Throws ProtocolError('SCHEMA_INVALID' | 'WRONG_DIRECTION').
 */
export function createEnvelope<T extends MessageType>(fields: EnvelopeFields<T>): UnsignedEnvelope<T> {
  const spec = MESSAGES[fields.type];
  if (spec === undefined) throw new ProtocolError('SCHEMA_INVALID', 'unknown message type');
  if (!(spec.dirs as readonly Direction[]).includes(fields.dir)) {
    throw new ProtocolError('WRONG_DIRECTION', `${fields.type} does not travel ${fields.dir}`);
  }
  const seqOk = spec.sequenced ? Number.isSafeInteger(fields.seq) && fields.seq >= 1 : fields.seq === 0;
  if (!seqOk)
    throw new ProtocolError(
      'SCHEMA_INVALID',
      `seq must be ${spec.sequenced ? '>= 1' : '0'} for ${fields.type}`,
    );
  if (!SITE_ID_PATTERN.test(fields.siteId)) throw new ProtocolError('SCHEMA_INVALID', 'siteId: invalid');
  if (!KID_PATTERN.test(fields.kid)) throw new ProtocolError('SCHEMA_INVALID', 'kid: invalid');
  const parsed = spec.body.safeParse(fields.body);
  if (!parsed.success) throw new ProtocolError('SCHEMA_INVALID', describeIssues(parsed.error, 'body'));
  const sentAt = new Date(fields.sentAt ?? Date.now()).toISOString();
  return {
    v: PROTOCOL_VERSION,
    siteId: fields.siteId,
    dir: fields.dir,
    seq: fields.seq,
    sentAt,
    kid: fields.kid,
    type: fields.type,
    body: parsed.data as BodyOf<T>,
  };
}

/** Ed25519 signature (base64url) over the RFC 8785 canonical bytes of the envelope minus `sig`. */
export function sign(envelopeWithoutSig: UnsignedEnvelope, privateKey: KeyObject): string {
  return ed25519Sign(null, canonicalBytes(envelopeWithoutSig), privateKey).toString('base64url');
}

export function signEnvelope<T extends MessageType>(
  envelopeWithoutSig: UnsignedEnvelope<T>,
  privateKey: KeyObject,
): Envelope<T> {
  return { ...envelopeWithoutSig, sig: sign(envelopeWithoutSig, privateKey) };
}

/** createEnvelope + signEnvelope: what a sender calls per send attempt. */
export function sealEnvelope<T extends MessageType>(
  fields: EnvelopeFields<T>,
  privateKey: KeyObject,
): Envelope<T> {
  return signEnvelope(createEnvelope(fields), privateKey);
}
