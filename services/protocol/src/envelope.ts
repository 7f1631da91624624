import { z } from 'zod';
import { intIn } from './bounded-number.ts';
import { type Direction, directionSchema } from './direction.ts';
import { isoTimestampSchema, kidSchema, siteIdSchema } from './ids.ts';
import { type BodyOf, MESSAGE_TYPES, type MessageType } from './message-registry.ts';

/** Protocol versions this build speaks. A new version gets a new number and its own registry. */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** Base64url Ed25519 signature: 64 bytes → 86 characters without padding. */
export const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/);

/**
 * The outer envelope; `body` is checked afterwards against the schema its `type` names (after the
 * signature, so that an authentic-but-invalid message can be told from a forged one).
 */
export const envelopeSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  siteId: siteIdSchema,
  dir: directionSchema,
  seq: intIn(0, Number.MAX_SAFE_INTEGER),
  sentAt: isoTimestampSchema,
  kid: kidSchema,
  type: z.enum(MESSAGE_TYPES),
  body: z.unknown(),
  sig: signatureSchema,
});

export interface Envelope<T extends MessageType = MessageType> {
  v: typeof PROTOCOL_VERSION;
  siteId: string;
  dir: Direction;
  /** Per-direction sequence, from 1; 0 for unsequenced control messages (sync.ack, sync.resend). */
  seq: number;
  /** Sender's clock, ISO 8601 UTC with milliseconds. */
  sentAt: string;
  kid: string;
  type: T;
  body: BodyOf<T>;
  /** Ed25519 over the signing input of everything else (see signing-input.ts), base64url. */
  sig: string;
}

export type UnsignedEnvelope<T extends MessageType = MessageType> = Omit<Envelope<T>, 'sig'>;

/** A union over every type, so `switch (m.type)` narrows `m.body`. */
export type AnyEnvelope = { [T in MessageType]: Envelope<T> }[MessageType];
