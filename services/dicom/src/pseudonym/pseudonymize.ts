import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Kinds of pseudonym and their prefixes. The prefix makes an id's kind visible in logs and in the cloud
 * without revealing anything; the site keeps the mapping back to the real value.
 */
export const PSEUDONYM_KINDS = {
  patient: 'pt',
  study: 'st',
  series: 'se',
  instance: 'in',
  user: 'usr',
  project: 'prj',
  accession: 'acc',
  annotation: 'ann',
} as const;
export type PseudonymKind = keyof typeof PSEUDONYM_KINDS;

/** Body: 12 bytes of keyed hash + 3 bytes of check, base64url: 20 characters. */
const HASH_BYTES = 12;
const CHECK_BYTES = 3;

export const pseudonymPattern = /^(pt|st|se|in|usr|prj|acc|ann)_[A-Za-z0-9_-]{20}$/;
export const pseudonymSchema = z.string().regex(pseudonymPattern);

export const pseudonymInputSchema = z.object({
  secret: z.union([z.string().min(16), z.instanceof(Uint8Array).refine((b) => b.length >= 16)]),
  kind: z.enum(Object.keys(PSEUDONYM_KINDS) as [PseudonymKind, ...PseudonymKind[]]),
  value: z.string(),
  scope: z.string().optional(),
});

/**
 * A stable, compact, URL-safe pseudonym: `pt_` + base64url(HMAC-SHA256(secret, kind, scope, value)[0..12] +
 * check[0..3]). Same inputs give the same output; a different scope (e.g. project) gives an unlinkable one.
 * The check bytes let `isOwnPseudonym` recognise values this secret already produced, which is what keeps
 * de-identification idempotent.
 */
export function pseudonymize(
  secret: string | Uint8Array,
  kind: PseudonymKind,
  value: string,
  scope = '',
): string {
  pseudonymInputSchema.parse({ secret, kind, value, scope });
  const hash = createHmac('sha256', secret)
    .update(`annex-pseudonym\0${kind}\0${scope}\0${value}`)
    .digest()
    .subarray(0, HASH_BYTES);
  return `${PSEUDONYM_KINDS[kind]}_${Buffer.concat([hash, check(secret, kind, scope, hash)]).toString('base64url')}`;
}

/** True when `candidate` is a pseudonym this secret made for this kind and scope. */
export function isOwnPseudonym(
  secret: string | Uint8Array,
  kind: PseudonymKind,
  candidate: string,
  scope = '',
): boolean {
  const prefix = `${PSEUDONYM_KINDS[kind]}_`;
  if (!candidate.startsWith(prefix) || !pseudonymPattern.test(candidate)) return false;
  const body = Buffer.from(candidate.slice(prefix.length), 'base64url');
  if (body.length !== HASH_BYTES + CHECK_BYTES) return false;
  const hash = body.subarray(0, HASH_BYTES);
  return timingSafeEqual(body.subarray(HASH_BYTES), check(secret, kind, scope, hash));
}

function check(secret: string | Uint8Array, kind: string, scope: string, hash: Uint8Array): Buffer {
  return createHmac('sha256', secret)
    .update(`annex-pseudonym-check\0${kind}\0${scope}\0`)
    .update(hash)
    .digest()
    .subarray(0, CHECK_BYTES);
}
