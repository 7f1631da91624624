import type { ObjectStore } from '../../storage/object-store.ts';
import { LruCache } from '../deid-views/lru-cache.ts';
import { frameIsCachedOrComing, readStoredFrame } from './frames.ts';
import type { DicomwebRepository, StoredInstance } from './repository.ts';

const DEFLATED = '1.2.840.10008.1.2.1.99';

/**
 * Read-ahead for stack viewing: after a frame is served, the frames a scrolling viewer asks for next (the next
 * instances of the series, or the next frames of a multi-frame object) are fetched from object storage into
 * the frame cache in the background, a bounded number at a time. A miss then costs one S3 round trip per
 * `depth` frames instead of one per frame. Failures are ignored: the request path reads again.
 */
export class FrameReadAhead {
  private readonly seriesRows = new LruCache<{
    at: number;
    rows: StoredInstance[];
    /** Each row's place in `rows`, by id: a lookup per served frame, so not a scan of the series. */
    place: Map<string, number>;
  }>(500);
  private readonly queue: Array<{ row: StoredInstance; n: number }> = [];
  private active = 0;

  constructor(
    private readonly repository: DicomwebRepository,
    private readonly storage: ObjectStore,
    private readonly remember: (row: StoredInstance) => void,
    private readonly depth = 16,
    private readonly parallel = 2,
    private readonly listTtlMs = 30_000,
  ) {}

  after(row: StoredInstance, n: number): void {
    if (row.transferSyntaxUid === DEFLATED) return;
    if (row.numberOfFrames > 1) {
      for (let k = n + 1; k <= Math.min(row.numberOfFrames, n + this.depth); k++) this.enqueue(row, k);
      return;
    }
    this.nextInstances(row)
      .then((rows) => {
        for (const r of rows) this.enqueue(r, 1);
      })
      .catch(() => undefined);
  }

  private async nextInstances(row: StoredInstance): Promise<StoredInstance[]> {
    const key = `${row.studyInstanceUid}|${row.seriesInstanceUid}`;
    let entry = this.seriesRows.get(key);
    if (!entry || Date.now() - entry.at > this.listTtlMs) {
      const rows = await this.repository.storedInstances({
        studyUid: row.studyInstanceUid,
        seriesUid: row.seriesInstanceUid,
      });
      for (const r of rows) this.remember(r);
      entry = { at: Date.now(), rows, place: new Map(rows.map((r, i) => [r.id, i])) };
      this.seriesRows.set(key, entry, 1);
    }
    const at = entry.place.get(row.id);
    return at === undefined ? [] : entry.rows.slice(at + 1, at + 1 + this.depth);
  }

  private enqueue(row: StoredInstance, n: number): void {
    if (row.transferSyntaxUid === DEFLATED || frameIsCachedOrComing(row, n)) return;
    if (this.queue.length >= 4 * this.depth) return;
    if (this.queue.some((q) => q.row.id === row.id && q.n === n)) return;
    this.queue.push({ row, n });
    this.pump();
  }

  private pump(): void {
    while (this.active < this.parallel && this.queue.length > 0) {
      const job = this.queue.shift()!;
      if (frameIsCachedOrComing(job.row, job.n)) continue;
      this.active++;
      readStoredFrame(this.storage, job.row, job.n)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }
}
