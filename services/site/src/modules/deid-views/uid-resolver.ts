import { createHmac } from 'node:crypto';
import { UidRemapper } from '@annex/dicom/deid/uid-remap.ts';
import { LruCache } from './lru-cache.ts';
import type { DeidUidRepository, UidLevel } from './repository.ts';

const BACKFILL_BATCH = 5000;

/**
 * De-identified UIDs for the annotator view, and the way back.
 *
 * Forward: the deid engine's UidRemapper keyed with the site secret, so UIDs in QIDO results, metadata and
 * de-identified instance bytes are the same everywhere and stable across restarts and re-sends.
 * Back: the hash is one-way, so mappings are stored (DeidUidMap). They are filled lazily from the index: a
 * request names a UID this secret made (checked in O(1) by the remapper's check bits, so random or foreign
 * UIDs never cause work); when it is not mapped yet, the index rows without a mapping are mapped in batches
 * and the lookup is retried. No ingest hook is needed and nothing goes stale (UIDs never change).
 */
export class DeidUidResolver {
  readonly keyId: string;
  private readonly remapper: UidRemapper;
  private readonly known = new LruCache<string>(200_000);

  constructor(
    secret: string,
    private readonly repository: DeidUidRepository,
  ) {
    this.remapper = UidRemapper.for(secret);
    this.keyId = createHmac('sha256', secret).update('annex-deid-uid-map-key').digest('hex').slice(0, 16);
  }

  deid(uid: string): string {
    return this.remapper.remap(uid);
  }

  /**
   * Remembers the way back for an index UID the caller has just read from the index (a series listing): its
   * de-identified UID is this remapper's output, exactly what `backfill` stores, so later requests naming it
   * skip the stored lookup. Only own outputs are learned; unknown or foreign UIDs still go to the store.
   */
  learn(level: UidLevel, originalUid: string): void {
    this.known.set(`${level}:${this.remapper.remap(originalUid)}`, originalUid, 1);
  }

  /** Original UIDs for de-identified ones at the given levels; undefined when any is unknown. */
  async resolve(requests: Array<{ level: UidLevel; uid: string }>): Promise<string[] | undefined> {
    // Mappings never change for a key: answer repeats (every frame of a series) from memory.
    const known = requests.map((r) => this.known.get(`${r.level}:${r.uid}`));
    if (known.every((k) => k !== undefined)) return known as string[];
    const out = await this.lookup(requests);
    out?.forEach((uid, i) => {
      this.known.set(`${requests[i]!.level}:${requests[i]!.uid}`, uid, 1);
    });
    return out;
  }

  private async lookup(requests: Array<{ level: UidLevel; uid: string }>): Promise<string[] | undefined> {
    if (requests.some((r) => !this.remapper.isOwn(r.uid))) return undefined;
    const uids = requests.map((r) => r.uid);
    let found = await this.repository.lookup(this.keyId, uids);
    if (requests.some((r) => found.get(r.uid)?.level !== r.level)) {
      await this.backfill();
      found = await this.repository.lookup(this.keyId, uids);
    }
    const out: string[] = [];
    for (const r of requests) {
      const m = found.get(r.uid);
      if (!m || m.level !== r.level) return undefined;
      out.push(m.originalUid);
    }
    return out;
  }

  /** Originals of those de-identified UIDs at one level that are known; unknown ones are left out. */
  async resolveKnown(level: UidLevel, deidUids: string[]): Promise<string[]> {
    const own = deidUids.filter((u) => this.remapper.isOwn(u));
    if (own.length === 0) return [];
    let found = await this.repository.lookup(this.keyId, own);
    if (own.some((u) => found.get(u)?.level !== level)) {
      await this.backfill();
      found = await this.repository.lookup(this.keyId, own);
    }
    return own.flatMap((u) => {
      const m = found.get(u);
      return m && m.level === level ? [m.originalUid] : [];
    });
  }

  /** Maps every index row that has no mapping yet. */
  async backfill(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.repository.unmapped(this.keyId, BACKFILL_BATCH);
      if (batch.length === 0) return total;
      const added = await this.repository.record(
        this.keyId,
        batch.map((b) => ({ level: b.level, originalUid: b.uid, deidUid: this.remapper.remap(b.uid) })),
      );
      total += added;
      // A batch that adds nothing holds only rows that cannot be mapped (one UID used at two levels).
      if (batch.length < BACKFILL_BATCH || added === 0) return total;
    }
  }
}
