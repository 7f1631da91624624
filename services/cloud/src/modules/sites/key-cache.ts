import { type KeyLookup, type KeyRecord, publicKeyFromRaw } from '@annex/protocol';
import type { Db } from '../../db.ts';
import { forHubKeysOf } from './repository.ts';

/**
 * Sites' public keys as KeyObjects, parsed once and kept for `ttlMs`, so verifying a message costs
 * no database read. Changes made through this process (rotate, revoke) invalidate at once; other
 * cloud replicas pick them up within the TTL.
 */
export class SiteKeyCache {
  private readonly entries = new Map<string, { at: number; records: Map<string, KeyRecord> }>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  /** Loads (or refreshes) a site's keys; call before verifying that site's messages. */
  async load(siteId: string): Promise<void> {
    const cached = this.entries.get(siteId);
    if (cached && Date.now() - cached.at < this.ttlMs) return;
    const rows = await forHubKeysOf(this.db, siteId);
    const records = new Map<string, KeyRecord>();
    for (const row of rows) {
      records.set(row.kid, {
        kid: row.kid,
        publicKey: publicKeyFromRaw(Buffer.from(row.publicKey, 'base64url')),
        notBefore: row.notBefore,
        notAfter: row.notAfter,
        revokedAt: row.revokedAt,
      });
    }
    this.entries.set(siteId, { at: Date.now(), records });
  }

  /** True when the cached entry is older than the TTL (the caller should `load` again). */
  stale(siteId: string): boolean {
    const cached = this.entries.get(siteId);
    return !cached || Date.now() - cached.at >= this.ttlMs;
  }

  invalidate(siteId: string): void {
    this.entries.delete(siteId);
  }

  /** Synchronous lookup over what was loaded; a site not loaded has no keys. */
  readonly lookup: KeyLookup = (kid, peerId) => this.entries.get(peerId)?.records.get(kid);
}
