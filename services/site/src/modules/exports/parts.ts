import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { ObjectStore } from '../../storage/object-store.ts';

/** Size of one stored part: small enough to hold in memory, large enough that S3 round trips do not dominate. */
export const PART_SIZE = 16 * 1024 * 1024;

export const partKey = (prefix: string, index: number) => `${prefix}part-${String(index).padStart(6, '0')}`;

/**
 * A Writable that stores what it is given as numbered objects of PART_SIZE bytes (the last one shorter)
 * and hashes the whole stream. Parts need no multipart upload (which s3rver and some gateways lack), a
 * download can start at any byte, and a rebuilt export never mixes with the parts of a failed attempt
 * because each attempt writes under its own random prefix.
 */
export class PartWriter extends Writable {
  readonly sizes: number[] = [];
  private readonly hash = createHash('sha256');
  private buffer: Buffer;
  private filled = 0;
  private total = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly partSize = PART_SIZE,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.buffer = Buffer.allocUnsafe(partSize);
  }

  get size(): number {
    return this.total;
  }

  get sha256(): string {
    return this.hash.copy().digest('hex');
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.total += chunk.length;
    this.absorb(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (this.filled > 0 ? this.flush() : Promise.resolve())
      .then(() => this.inFlight)
      .then(() => callback(), callback);
  }

  private async absorb(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.partSize - this.filled);
      chunk.copy(this.buffer, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.partSize) await this.flush();
    }
  }

  /**
   * Hands the filled part to the store and takes a fresh buffer, so the next part fills while this one
   * uploads; at most one upload is in flight (two parts in memory), and a failed one fails the next write.
   */
  private async flush(): Promise<void> {
    const body = this.buffer.subarray(0, this.filled);
    const index = this.sizes.length;
    this.sizes.push(this.filled);
    this.buffer = Buffer.allocUnsafe(this.partSize);
    this.filled = 0;
    await this.inFlight;
    this.inFlight = this.store.put(partKey(this.prefix, index), body, body.length);
    // Surfaced by the next flush or _final; never an unhandled rejection meanwhile.
    this.inFlight.catch(() => {});
  }
}

/** Bytes [start, end] (inclusive) of a stored bundle, part by part, one part in memory at most. */
export async function* readParts(
  store: ObjectStore,
  prefix: string,
  sizes: readonly number[],
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  let partStart = 0;
  for (const [index, size] of sizes.entries()) {
    const partEnd = partStart + size - 1;
    if (partEnd >= start && partStart <= end) {
      const from = Math.max(start, partStart) - partStart;
      const to = Math.min(end, partEnd) - partStart;
      yield await store.getRange(partKey(prefix, index), from, to - from + 1);
    }
    partStart += size;
    if (partStart > end) return;
  }
}

/** Removes every object under an export's prefix (a finished, failed, cancelled or expired attempt). */
export async function deleteParts(store: ObjectStore, prefix: string): Promise<number> {
  let n = 0;
  for await (const { key } of store.list(prefix)) {
    await store.delete(key);
    n++;
  }
  return n;
}
