/**
 * Binary run-length encoding (the COCO "uncompressed RLE" convention): counts alternate
 * background/foreground runs over the x-fastest flattened volume, starting with background
 * (so counts[0] may be 0). Realistic segmentations have a few runs per image row they touch, so
 * this is 100–1000× smaller than a byte mask and overlap counts can be taken run by run.
 */
export interface BinaryRle {
  /** Number of voxels the mask covers. */
  length: number;
  /** Alternating run lengths, background first. Sums to length. */
  counts: Uint32Array;
}

export class RleError extends Error {
  readonly code = 'QUALITY_BAD_RLE';
}

/** Encode a mask: every nonzero byte is foreground. */
export function encodeRle(mask: Uint8Array): BinaryRle {
  const n = mask.length;
  const counts: number[] = [];
  let state = 0;
  let start = 0;
  let i = 0;
  // Skip 4 bytes at a time while the run continues; masks are mostly long runs of one state.
  const aligned = mask.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(mask.buffer, mask.byteOffset, n >>> 2) : null;
  while (i < n) {
    if (words && (i & 3) === 0 && i + 4 <= n) {
      const w = words[i >>> 2]!;
      if (
        state === 0
          ? w === 0
          : (w & 0xff) !== 0 && (w & 0xff00) !== 0 && (w & 0xff0000) !== 0 && w >>> 24 !== 0
      ) {
        i += 4;
        continue;
      }
    }
    const on = mask[i] !== 0 ? 1 : 0;
    if (on !== state) {
      counts.push(i - start);
      start = i;
      state = on;
    }
    i++;
  }
  counts.push(n - start);
  return { length: n, counts: Uint32Array.from(counts) };
}

export function decodeRle(rle: BinaryRle): Uint8Array {
  assertRle(rle);
  const out = new Uint8Array(rle.length);
  let pos = 0;
  for (let r = 0; r < rle.counts.length; r++) {
    const c = rle.counts[r]!;
    if (r & 1) out.fill(1, pos, pos + c);
    pos += c;
  }
  return out;
}

export function assertRle(rle: BinaryRle): void {
  let sum = 0;
  for (let r = 0; r < rle.counts.length; r++) {
    const c = rle.counts[r]!;
    if (c === 0 && r > 0) throw new RleError('only the first run of an RLE may be empty');
    sum += c;
  }
  if (sum !== rle.length) throw new RleError('RLE run lengths do not add up to its length');
}

/** Number of foreground voxels. */
export function rleForeground(rle: BinaryRle): number {
  let s = 0;
  for (let r = 1; r < rle.counts.length; r += 2) s += rle.counts[r]!;
  return s;
}

/** |A|, |B| and |A∩B| by walking both run lists once: O(runs), independent of volume size. */
export function rleOverlap(a: BinaryRle, b: BinaryRle): { a: number; b: number; both: number } {
  if (a.length !== b.length) throw new RleError('masks differ in length');
  const ca = a.counts;
  const cb = b.counts;
  let ia = 0;
  let ib = 0;
  let endA = ca[0] ?? a.length;
  let endB = cb[0] ?? b.length;
  let pos = 0;
  let both = 0;
  while (pos < a.length) {
    const end = Math.min(endA, endB);
    if (ia & ib & 1) both += end - pos;
    pos = end;
    if (endA === pos && ia + 1 < ca.length) endA += ca[++ia]!;
    if (endB === pos && ib + 1 < cb.length) endB += cb[++ib]!;
  }
  return { a: rleForeground(a), b: rleForeground(b), both };
}
