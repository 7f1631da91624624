/**
 * Bit-packed binary masks: 32 voxels per Uint32 word, bit (i & 31) of word (i >> 5).
 * Overlap counts are AND + popcount over 1/8 of the bytes a Uint8Array mask needs.
 */
export interface PackedMask {
  length: number;
  words: Uint32Array;
  /** Words outside [firstWord, endWord) are all zero; overlap loops skip them. */
  firstWord?: number;
  endWord?: number;
}

/** Pack a byte mask; with `label`, only voxels equal to it are set, otherwise every nonzero voxel. */
export function packMask(data: Uint8Array, label?: number): PackedMask {
  const n = data.length;
  const words = new Uint32Array((n + 31) >>> 5);
  const full = n >>> 5;
  for (let w = 0; w < full; w++) {
    let bits = 0;
    const base = w << 5;
    if (label === undefined) {
      for (let b = 0; b < 32; b++) if (data[base + b] !== 0) bits |= 1 << b;
    } else {
      for (let b = 0; b < 32; b++) if (data[base + b] === label) bits |= 1 << b;
    }
    words[w] = bits;
  }
  for (let i = full << 5; i < n; i++) {
    const v = data[i]!;
    if (label === undefined ? v !== 0 : v === label) words[i >>> 5]! |= 1 << (i & 31);
  }
  return withWordRange({ length: n, words });
}

/** Records the range of nonzero words, so overlap of small structures touches only their extent. */
export function withWordRange(mask: PackedMask): PackedMask {
  const w = mask.words;
  let first = 0;
  while (first < w.length && w[first] === 0) first++;
  let end = w.length;
  while (end > first && w[end - 1] === 0) end--;
  return { ...mask, firstWord: first, endWord: end };
}

export function unpackMask(mask: PackedMask): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = (mask.words[i >>> 5]! >>> (i & 31)) & 1;
  return out;
}

/** Number of set bits in a 32-bit word (SWAR; Math.clz32 has no popcount sibling in JS). */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** |A|, |B|, |A∩B| of two packed masks. Zero words are skipped cheaply (masks are sparse). */
export function packedOverlap(a: PackedMask, b: PackedMask): { a: number; b: number; both: number } {
  if (a.length !== b.length) throw new Error('masks differ in length');
  const wa = a.words;
  const wb = b.words;
  let ca = 0;
  let cb = 0;
  let both = 0;
  const from = Math.min(a.firstWord ?? 0, b.firstWord ?? 0);
  const to = Math.max(a.endWord ?? wa.length, b.endWord ?? wb.length);
  for (let i = from; i < to; i++) {
    const x = wa[i]!;
    const y = wb[i]!;
    if ((x | y) === 0) continue;
    ca += popcount32(x);
    cb += popcount32(y);
    both += popcount32(x & y);
  }
  return { a: ca, b: cb, both };
}
