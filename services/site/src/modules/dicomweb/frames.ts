import { canDecode as coreCanDecode, decodeFrame, decodeRleFrame, parseInstance } from '@annex/dicom';
import type { ObjectStore } from '../../storage/object-store.ts';
import { LruCache } from '../deid-views/lru-cache.ts';
import { frameSpans, type PixelIndex, pixelIndexSchema } from '../ingest/pixel-index.ts';
import { notFoundResource } from './errors.ts';
import type { StoredInstance } from './repository.ts';

const RLE = '1.2.840.10008.1.2.5';

/** Stored syntaxes whose frames this server can decode to native pixels: native, RLE here, the rest by codecs. */
export const canDecode = (ts: string) => ts === RLE || coreCanDecode(ts);

export interface PixelModule {
  rows: number;
  columns: number;
  bitsAllocated: number;
  samplesPerPixel: number;
}

// Frames a viewer has fetched are fetched again (scrolling back, other users of the study): keep recent ones.
const frameCache = new LruCache<Uint8Array[]>(256 * 1024 * 1024);

const inflight = new Map<string, Promise<Uint8Array[]>>();
const frameKey = (instance: StoredInstance, n: number) => `${instance.sha256}:${n}`;

/** Whether frame n of an instance is in memory or on its way (read-ahead skips those). */
export const frameIsCachedOrComing = (instance: StoredInstance, n: number) =>
  frameCache.get(frameKey(instance, n)) !== undefined || inflight.has(frameKey(instance, n));

// Deflated objects cannot be range-read: keep a few inflated datasets so a series of frame requests inflates once.
const inflated = new LruCache<Buffer>(128 * 1024 * 1024);

function indexOf(instance: StoredInstance): PixelIndex {
  const parsed = pixelIndexSchema.safeParse(instance.pixelData);
  if (!parsed.success) throw notFoundResource('frame');
  return parsed.data;
}

/**
 * The stored bytes of frame `n` (1-based) in the stored transfer syntax: one ranged read covering its
 * fragments, which are then cut out (encapsulated frames may span several fragments).
 */
export async function readStoredFrame(
  storage: ObjectStore,
  instance: StoredInstance,
  n: number,
): Promise<Uint8Array[]> {
  const index = indexOf(instance);
  if (!Number.isInteger(n) || n < 1 || n > index.frames.length) throw notFoundResource('frame');
  const spans = frameSpans(index, n - 1);
  if (spans.length === 0) throw notFoundResource('frame');
  if (!index.ranged) {
    let source = inflated.get(instance.id);
    if (!source) {
      source = parseInstance(await storage.getBuffer(instance.objectKey)).context.source;
      inflated.set(instance.id, source, source.length);
    }
    return spans.map((s) => source.subarray(s.offset, s.offset + s.length));
  }
  // Keyed by content hash: an instance's bytes never change under it.
  const key = frameKey(instance, n);
  const cached = frameCache.get(key);
  if (cached) return cached;
  // A read already on its way (read-ahead, or another viewer) is shared, not repeated.
  const running = inflight.get(key);
  if (running) return running;
  const first = spans[0]!.offset;
  const last = spans[spans.length - 1]!;
  const read = storage
    .getRange(instance.objectKey, first, last.offset + last.length - first)
    .then((block) => {
      const frame = spans.map((s) => block.subarray(s.offset - first, s.offset - first + s.length));
      frameCache.set(key, frame, block.length);
      return frame;
    })
    .finally(() => inflight.delete(key));
  inflight.set(key, read);
  return read;
}

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);

/**
 * Native little-endian pixels of a frame: native syntaxes are that already, RLE is decoded from the ranged
 * bytes, JPEG / JPEG-LS / JPEG 2000 / HTJ2K go through the codecs of @annex/dicom, which need the object.
 */
export async function decodeToNative(
  storage: ObjectStore,
  instance: StoredInstance,
  n: number,
  stored: Uint8Array[],
  pixel: PixelModule,
): Promise<Uint8Array[]> {
  const ts = instance.transferSyntaxUid;
  if (NATIVE.has(ts)) return stored;
  if (ts === RLE) return [decodeRleFrame(stored.length === 1 ? stored[0]! : Buffer.concat(stored), pixel)];
  const frame = await decodeFrame(parseInstance(await storage.getBuffer(instance.objectKey)), n - 1);
  const p = frame.pixels;
  return [new Uint8Array(p.buffer, p.byteOffset, p.byteLength)];
}
