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

  private readonly loading = new Map<string, Promise<void>>();

  /** Loads a site's keys unless a fresh copy is cached; call before verifying its messages. */
  async load(siteId: string): Promise<void> {
    if (!this.stale(siteId)) return;
    await this.refresh(siteId);
  }

  /**
   * Reads the keys again now. The old entry stays in use until the new one is in place, so frames
   * verified meanwhile never see "no keys at all".
   */
  refresh(siteId: string): Promise<void> {
    const running = this.loading.get(siteId);
    if (running) return running;
    const task = (async () => {
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
    })().finally(() => this.loading.delete(siteId));
    this.loading.set(siteId, task);
    return task;
  }

  /** Starts a background refresh when the TTL has passed (verification goes on meanwhile). */
  touch(siteId: string): void {
    if (this.stale(siteId) && !this.loading.has(siteId)) void this.refresh(siteId).catch(() => {});
  }

  /** True when the cached entry is older than the TTL. */
  stale(siteId: string): boolean {
    const cached = this.entries.get(siteId);
    return !cached || Date.now() - cached.at >= this.ttlMs;
  }

  /** Synchronous lookup over what was loaded; a site not loaded has no keys. */
  readonly lookup: KeyLookup = (kid, peerId) => this.entries.get(peerId)?.records.get(kid);
}
