import { sign as ed25519Sign, verify as ed25519Verify, type KeyObject, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { intIn } from './bounded-number.ts';
import { canonicalBytes } from './canonical-json.ts';
import { checkClock, DEFAULT_CLOCK_SKEW_MS } from './clock.ts';
import { PROTOCOL_VERSION, SUPPORTED_VERSIONS, signatureSchema } from './envelope.ts';
import { isoTimestampSchema, kidSchema, siteIdSchema } from './ids.ts';
import { checkKey, type KeyLookup } from './key-ring.ts';
import { type Rejection, reject } from './reject-reason.ts';
import { describeIssues } from './schema-issues.ts';

// Three-message challenge/response, run on every (re)connect before any envelope:
//   1. site  → cloud  handshake.hello    siteNonce, signed by the site key
//   2. cloud → site   handshake.welcome  cloudNonce, signed by the cloud key over both nonces
//   3. site  → cloud  handshake.proof    signed by the site key over both nonces
// Each side signs the other's fresh nonce, so a recorded handshake cannot be replayed, and each
// side learns where to resume: the welcome carries the cloud's high-water mark for the site's
// stream, the proof the site's high-water mark for the cloud's stream.
// Signatures cover RFC 8785 transcripts with a distinct `purpose`; their key sets differ from an
// envelope's, so a handshake signature can never pass as an envelope signature or vice versa.

const nonceSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
const seqSchema = intIn(0, Number.MAX_SAFE_INTEGER);

export const handshakeHelloSchema = z.strictObject({
  type: z.literal('handshake.hello'),
  v: intIn(1, 1000),
  siteId: siteIdSchema,
  kid: kidSchema,
  siteNonce: nonceSchema,
  sentAt: isoTimestampSchema,
  sig: signatureSchema,
});
export const handshakeWelcomeSchema = z.strictObject({
  type: z.literal('handshake.welcome'),
  v: z.literal(PROTOCOL_VERSION),
  kid: kidSchema,
  cloudNonce: nonceSchema,
  /** Highest site→cloud seq the cloud has applied: the site resends everything after it. */
  lastAppliedSeq: seqSchema,
  sentAt: isoTimestampSchema,
  sig: signatureSchema,
});
export const handshakeProofSchema = z.strictObject({
  type: z.literal('handshake.proof'),
  /** Highest cloud→site seq the site has applied: the cloud resends everything after it. */
  lastAppliedSeq: seqSchema,
  sig: signatureSchema,
});
export type HandshakeHello = z.infer<typeof handshakeHelloSchema>;
export type HandshakeWelcome = z.infer<typeof handshakeWelcomeSchema>;
export type HandshakeProof = z.infer<typeof handshakeProofSchema>;

export interface Signer {
  kid: string;
  privateKey: KeyObject;
}
export interface HandshakeCheck {
  keys: KeyLookup;
  now: Date | number;
  skewMs?: number;
}
type Ok<T> = { ok: true } & T;

const toMs = (t: Date | number) => (typeof t === 'number' ? t : t.getTime());
const newNonce = () => randomBytes(32).toString('base64url');
const signOver = (transcript: object, key: KeyObject) =>
  ed25519Sign(null, canonicalBytes(transcript), key).toString('base64url');
const verifyOver = (transcript: object, key: KeyObject, sig: string) =>
  ed25519Verify(null, canonicalBytes(transcript), key, Buffer.from(sig, 'base64url'));

const helloTranscript = (h: Omit<HandshakeHello, 'sig' | 'type'>) => ({
  purpose: 'annex.handshake.hello',
  ...h,
});
const welcomeTranscript = (h: HandshakeHello, w: Omit<HandshakeWelcome, 'sig' | 'type'>) => ({
  purpose: 'annex.handshake.welcome',
  siteId: h.siteId,
  siteKid: h.kid,
  siteNonce: h.siteNonce,
  ...w,
});
const proofTranscript = (h: HandshakeHello, w: HandshakeWelcome, lastAppliedSeq: number) => ({
  purpose: 'annex.handshake.proof',
  siteId: h.siteId,
  siteKid: h.kid,
  siteNonce: h.siteNonce,
  cloudKid: w.kid,
  cloudNonce: w.cloudNonce,
  lastAppliedSeq,
});

/** Site, step 1. Keep the returned hello: steps 2 and 3 are checked against it. */
export function createHello(siteId: string, site: Signer, now: Date | number = Date.now()): HandshakeHello {
  const fields = {
    v: PROTOCOL_VERSION,
    siteId,
    kid: site.kid,
    siteNonce: newNonce(),
    sentAt: new Date(now).toISOString(),
  };
  return { type: 'handshake.hello', ...fields, sig: signOver(helloTranscript(fields), site.privateKey) };
}

/**
 * Cloud, step 1. `keys` looks up the claimed site's keys (the site is not yet authenticated: a
 * valid hello only shows the sender holds the key, possibly replayed, until the proof arrives).
 */
export function verifyHello(
  input: unknown,
  check: HandshakeCheck,
): Ok<{ hello: HandshakeHello }> | Rejection {
  const v = (input as { v?: unknown } | null)?.v;
  if (typeof v === 'number' && !SUPPORTED_VERSIONS.includes(v)) {
    return reject('UNSUPPORTED_VERSION', `supported: ${SUPPORTED_VERSIONS.join(',')}`);
  }
  const parsed = handshakeHelloSchema.safeParse(input);
  if (!parsed.success) return reject('SCHEMA_INVALID', describeIssues(parsed.error));
  const hello = parsed.data;
  const nowMs = toMs(check.now);
  const sentAtMs = Date.parse(hello.sentAt);
  const key = check.keys(hello.kid, hello.siteId);
  const problem = checkKey(key, sentAtMs, nowMs);
  if (problem) return problem;
  const { sig, type: _t, ...fields } = hello;
  if (!verifyOver(helloTranscript(fields), key!.publicKey, sig))
    return reject('BAD_SIGNATURE', 'hello signature');
  const skew = checkClock(sentAtMs, nowMs, check.skewMs ?? DEFAULT_CLOCK_SKEW_MS);
  if (skew) return skew;
  return { ok: true, hello };
}

/** Cloud, step 2: answer a verified hello. Keep the welcome to check the proof against. */
export function createWelcome(
  hello: HandshakeHello,
  cloud: Signer,
  lastAppliedSeq: number,
  now: Date | number = Date.now(),
): HandshakeWelcome {
  const fields: Omit<HandshakeWelcome, 'sig' | 'type'> = {
    v: PROTOCOL_VERSION,
    kid: cloud.kid,
    cloudNonce: newNonce(),
    lastAppliedSeq,
    sentAt: new Date(now).toISOString(),
  };
  return {
    type: 'handshake.welcome',
    ...fields,
    sig: signOver(welcomeTranscript(hello, fields), cloud.privateKey),
  };
}

/** Site, step 2: is this really the cloud, answering this hello? `keys` holds the cloud's keys. */
export function verifyWelcome(
  input: unknown,
  hello: HandshakeHello,
  check: HandshakeCheck & { cloudId?: string },
): Ok<{ welcome: HandshakeWelcome }> | Rejection {
  const parsed = handshakeWelcomeSchema.safeParse(input);
  if (!parsed.success) return reject('SCHEMA_INVALID', describeIssues(parsed.error));
  const welcome = parsed.data;
  const nowMs = toMs(check.now);
  const sentAtMs = Date.parse(welcome.sentAt);
  const key = check.keys(welcome.kid, check.cloudId ?? 'cloud');
  const problem = checkKey(key, sentAtMs, nowMs);
  if (problem) return problem;
  const { sig, type: _t, ...fields } = welcome;
  if (!verifyOver(welcomeTranscript(hello, fields), key!.publicKey, sig)) {
    return reject('BAD_SIGNATURE', 'welcome signature');
  }
  const skew = checkClock(sentAtMs, nowMs, check.skewMs ?? DEFAULT_CLOCK_SKEW_MS);
  if (skew) return skew;
  return { ok: true, welcome };
}

/** Site, step 3. */
export function createProof(
  hello: HandshakeHello,
  welcome: HandshakeWelcome,
  site: Signer,
  lastAppliedSeq: number,
): HandshakeProof {
  const sig = signOver(proofTranscript(hello, welcome, lastAppliedSeq), site.privateKey);
  return { type: 'handshake.proof', lastAppliedSeq, sig };
}

/**
 * Cloud, step 3: the site signed the cloud's fresh nonce, so it is live and holds the key. After
 * this the connection belongs to hello.siteId. Key validity was checked in verifyHello; it is
 * checked again here in case the key was revoked in between.
 */
export function verifyProof(
  input: unknown,
  hello: HandshakeHello,
  welcome: HandshakeWelcome,
  check: HandshakeCheck,
): Ok<{ siteId: string; kid: string; lastAppliedSeq: number }> | Rejection {
  const parsed = handshakeProofSchema.safeParse(input);
  if (!parsed.success) return reject('SCHEMA_INVALID', describeIssues(parsed.error));
  const nowMs = toMs(check.now);
  const key = check.keys(hello.kid, hello.siteId);
  const problem = checkKey(key, nowMs, nowMs);
  if (problem) return problem;
  const { sig, lastAppliedSeq } = parsed.data;
  if (!verifyOver(proofTranscript(hello, welcome, lastAppliedSeq), key!.publicKey, sig)) {
    return reject('BAD_SIGNATURE', 'proof signature');
  }
  return { ok: true, siteId: hello.siteId, kid: hello.kid, lastAppliedSeq };
}
