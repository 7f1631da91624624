import { verify as ed25519Verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes } from './canonical-json.ts';
import { checkClock, DEFAULT_CLOCK_SKEW_MS } from './clock.ts';
import type { Direction } from './direction.ts';
import { type AnyEnvelope, envelopeSchema, SUPPORTED_VERSIONS, signatureSchema } from './envelope.ts';
import { isoTimestampSchema, kidSchema } from './ids.ts';
import { checkKey, type KeyLookup } from './key-ring.ts';
import { MESSAGES } from './message-registry.ts';
import { type Rejection, reject } from './reject-reason.ts';
import { describeIssues } from './schema-issues.ts';
import { checkSequence, type SequenceGap } from './sequence.ts';

export interface VerifyContext {
  /** The direction this receiver accepts: the cloud expects 's2c', a site expects 'c2s'. */
  expectedDir: Direction;
  /** The site this connection belongs to (authenticated by the handshake). */
  expectedSiteId: string;
  /** Whose keys to look in: the site id on the cloud, the cloud's id on a site. */
  peerId?: string;
  keys: KeyLookup;
  now: Date | number;
  skewMs?: number;
}

export interface Verified {
  readonly ok: true;
  readonly envelope: AnyEnvelope;
  /** False for sync.ack / sync.resend, which are not applied in order and carry seq 0. */
  readonly sequenced: boolean;
}

// Just enough of the envelope to find the key and check the signature.
const routingSchema = z.object({ kid: kidSchema, sentAt: isoTimestampSchema, sig: signatureSchema });

/** The one Ed25519 check of an envelope: `signature` over `data` with `publicKey`. */
export interface SignatureCheck {
  data: Buffer;
  signature: Buffer;
  publicKey: KeyObject;
}

/**
 * An envelope that passed every check that comes before its signature. Verify `check` (here with
 * `checkSignature`, or on another thread), then call `finish` with the outcome.
 */
export interface PreparedEnvelope {
  readonly ok: true;
  readonly check: SignatureCheck;
  finish(signatureValid: boolean): Verified | Rejection;
}

export const checkSignature = (c: SignatureCheck): boolean =>
  ed25519Verify(null, c.data, c.publicKey, c.signature);

/**
 * The checks before the signature (version, routing fields, key and its validity) and the signing
 * input; the rest of authenticateEnvelope happens in `finish`, once the signature is known. Split
 * so that a receiver can verify signatures off its event loop.
 */
export function prepareEnvelope(input: unknown, ctx: VerifyContext): PreparedEnvelope | Rejection {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('SCHEMA_INVALID', 'envelope is not an object');
  }
  const raw = input as Record<string, unknown>;
  if (typeof raw.v !== 'number') return reject('SCHEMA_INVALID', 'v: missing');
  if (!SUPPORTED_VERSIONS.includes(raw.v)) {
    return reject('UNSUPPORTED_VERSION', `supported: ${SUPPORTED_VERSIONS.join(',')}`);
  }
  const routing = routingSchema.safeParse(raw);
  if (!routing.success) return reject('SCHEMA_INVALID', describeIssues(routing.error));
  const { kid, sentAt, sig } = routing.data;
  const nowMs = typeof ctx.now === 'number' ? ctx.now : ctx.now.getTime();
  const sentAtMs = Date.parse(sentAt);

  const key = ctx.keys(kid, ctx.peerId ?? ctx.expectedSiteId);
  const keyProblem = checkKey(key, sentAtMs, nowMs);
  if (keyProblem) return keyProblem;

  // The signature covers every field present except sig, unknown ones included, so that an
  // authentic message with an extra field is told apart from a forged one (and alarmed).
  const { sig: _sig, ...unsigned } = raw;
  let data: Buffer;
  try {
    data = canonicalBytes(unsigned);
  } catch {
    return reject('SCHEMA_INVALID', 'envelope is not canonicalizable JSON');
  }
  return {
    ok: true,
    check: { data, signature: Buffer.from(sig, 'base64url'), publicKey: key!.publicKey },
    finish: (signatureValid) =>
      signatureValid
        ? afterSignature(raw, ctx, sentAtMs, nowMs)
        : reject('BAD_SIGNATURE', 'signature does not verify'),
  };
}

function afterSignature(
  raw: Record<string, unknown>,
  ctx: VerifyContext,
  sentAtMs: number,
  nowMs: number,
): Verified | Rejection {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return reject('SCHEMA_INVALID', describeIssues(envelope.error), true);
  const env = envelope.data;
  if (env.siteId !== ctx.expectedSiteId)
    return reject('WRONG_SITE', 'siteId is not this connection’s site', true);
  const spec = MESSAGES[env.type];
  if (env.dir !== ctx.expectedDir || !(spec.dirs as readonly Direction[]).includes(env.dir)) {
    return reject('WRONG_DIRECTION', `${env.type} ${env.dir} not accepted here`, true);
  }
  if (spec.sequenced ? env.seq < 1 : env.seq !== 0) {
    return reject('SCHEMA_INVALID', `seq: ${spec.sequenced ? 'must be >= 1' : 'must be 0'}`, true);
  }
  const body = spec.body.safeParse(env.body);
  if (!body.success) return reject('SCHEMA_INVALID', describeIssues(body.error, 'body'), true);

  const skew = checkClock(sentAtMs, nowMs, ctx.skewMs ?? DEFAULT_CLOCK_SKEW_MS);
  if (skew) return skew;

  return { ok: true, envelope: { ...env, body: body.data } as AnyEnvelope, sequenced: spec.sequenced };
}

/**
 * Everything but the sequence check: version, key, signature, strict schema (envelope and body),
 * site, direction, clock. Use it when the sequence is checked inside the caller's transaction.
 */
export function authenticateEnvelope(input: unknown, ctx: VerifyContext): Verified | Rejection {
  const prepared = prepareEnvelope(input, ctx);
  if (!prepared.ok) return prepared;
  return prepared.finish(checkSignature(prepared.check));
}

/**
 * The full receive pipeline. `highWaterMark`: highest seq already applied in this direction for
 * this site (0 when none). Unsequenced control messages skip the sequence check.
 */
export function verifyEnvelope(
  input: unknown,
  ctx: VerifyContext & { highWaterMark: number },
): Verified | Rejection | SequenceGap {
  const result = authenticateEnvelope(input, ctx);
  if (!result.ok || !result.sequenced) return result;
  return checkSequence(result.envelope.seq, ctx.highWaterMark) ?? result;
}

/**
 * Only the signature, for audits of stored messages: "this exact envelope was signed by that key",
 * whatever its age, sequence or the key's state today. Not a substitute for verifyEnvelope.
 */
export function verifyEnvelopeSignature(envelope: unknown, publicKey: KeyObject): boolean {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return false;
  const { sig, ...unsigned } = envelope as Record<string, unknown>;
  if (typeof sig !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
  try {
    return ed25519Verify(null, canonicalBytes(unsigned), publicKey, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}
