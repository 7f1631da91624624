import type { KeyObject } from 'node:crypto';
import { type Rejection, reject } from './reject-reason.ts';

/** One public key of a peer with its validity window (rotation overlaps two windows). */
export interface KeyRecord {
  kid: string;
  publicKey: KeyObject;
  notBefore?: Date | number | null;
  notAfter?: Date | number | null;
  revokedAt?: Date | number | null;
}

/**
 * Finds the key a message names. `peerId` is the site the connection authenticated as (on the
 * cloud) or the cloud's fixed id (on the site); never the siteId a message claims for itself.
 */
export type KeyLookup = (kid: string, peerId: string) => KeyRecord | undefined;

/** A lookup over a fixed list of keys of one peer. */
export function keyRing(records: readonly KeyRecord[]): KeyLookup {
  const byKid = new Map(records.map((r) => [r.kid, r]));
  return (kid) => byKid.get(kid);
}

const ms = (t: Date | number | null | undefined): number | null =>
  t === null || t === undefined ? null : typeof t === 'number' ? t : t.getTime();

/**
 * Validity is judged at the message's sentAt (already bounded to now ± the skew window), so a
 * message signed just before a key's notAfter still verifies while in flight during rotation.
 * Revocation is judged at the receiver's now: a leaked key must stop working at once.
 */
export function checkKey(record: KeyRecord | undefined, sentAtMs: number, nowMs: number): Rejection | null {
  if (record === undefined) return reject('UNKNOWN_KEY', 'key id not in the peer key ring');
  const revokedAt = ms(record.revokedAt);
  if (revokedAt !== null && revokedAt <= nowMs) return reject('KEY_REVOKED', 'key was revoked');
  const notBefore = ms(record.notBefore);
  if (notBefore !== null && sentAtMs < notBefore) return reject('KEY_NOT_YET_VALID', 'key not valid yet');
  const notAfter = ms(record.notAfter);
  if (notAfter !== null && sentAtMs > notAfter) return reject('KEY_EXPIRED', 'key validity ended');
  return null;
}
