import { createHmac } from 'node:crypto';

/**
 * Consistent UID replacement (PS3.15 action U): `2.25.` + a 128-bit integer made from HMAC-SHA256(secret, uid).
 * The integer is 96 bits of hash plus a 32-bit check over them, so UIDs this secret already produced are
 * recognised and kept: de-identifying twice gives the same UIDs as once. A foreign UID passes the check by
 * chance with probability 2^-32.
 */
export class UidRemapper {
  /** Study, series and frame-of-reference UIDs repeat across a series' instances: remember recent ones. */
  private readonly cache = new Map<string, string>();
  private static readonly CACHE_SIZE = 4096;

  constructor(private readonly secret: string | Uint8Array) {}

  /** One remapper (and cache) per secret, so repeated calls reuse the cache. */
  static for(secret: string | Uint8Array): UidRemapper {
    const key = typeof secret === 'string' ? `s:${secret}` : `b:${Buffer.from(secret).toString('hex')}`;
    let r = remappers.get(key);
    if (!r) {
      r = new UidRemapper(secret);
      remappers.set(key, r);
      if (remappers.size > 8) remappers.delete(remappers.keys().next().value!);
    }
    return r;
  }

  remap(uid: string): string {
    const cached = this.cache.get(uid);
    if (cached !== undefined) return cached;
    const out = this.isOwn(uid) ? uid : this.derive(uid);
    this.cache.set(uid, out);
    if (this.cache.size > UidRemapper.CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return out;
  }

  isOwn(uid: string): boolean {
    if (!uid.startsWith('2.25.')) return false;
    const digits = uid.slice(5);
    if (!/^[1-9][0-9]{0,38}$/.test(digits)) return false;
    const n = BigInt(digits);
    if (n >> 128n !== 0n) return false;
    const hash = n >> 32n;
    return (n & 0xffffffffn) === this.checkOf(hash);
  }

  private derive(uid: string): string {
    const h = createHmac('sha256', this.secret).update(`annex-uid\0${uid}`).digest();
    let hash = 0n;
    for (let i = 0; i < 12; i++) hash = (hash << 8n) | BigInt(h[i]!);
    // A leading zero digit is not allowed in a UID component; hash 0 is astronomically unlikely but stay valid.
    if (hash === 0n) hash = 1n;
    return `2.25.${((hash << 32n) | this.checkOf(hash)).toString()}`;
  }

  private checkOf(hash: bigint): bigint {
    const hex = hash.toString(16).padStart(24, '0');
    const c = createHmac('sha256', this.secret).update(`annex-uid-check\0${hex}`).digest();
    return BigInt(c.readUInt32BE(0));
  }
}

const remappers = new Map<string, UidRemapper>();

/** The de-identified UID for an original UID under this site secret (what `deidentify` writes). */
export function deidentifiedUid(secret: string | Uint8Array, uid: string): string {
  return UidRemapper.for(secret).remap(uid);
}
