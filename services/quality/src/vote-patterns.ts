import type { LabelRle } from './label-rle.ts';
import { RleError } from './rle.ts';

/**
 * Walks R label volumes together, one callback per maximal segment where no rater's label changes.
 * `values[r]` holds rater r's label over [start, end). Cost O(total runs · R), not O(voxels).
 */
export function forEachSegment(
  raters: readonly LabelRle[],
  fn: (values: Uint8Array, start: number, end: number) => void,
): void {
  const r = raters.length;
  if (r === 0) return;
  const n = raters[0]!.length;
  for (const x of raters) if (x.length !== n) throw new RleError('label volumes differ in length');
  const idx = new Uint32Array(r);
  const values = new Uint8Array(r);
  const ends = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    values[k] = raters[k]!.values[0] ?? 0;
    ends[k] = raters[k]!.ends[0] ?? n;
  }
  let pos = 0;
  while (pos < n) {
    let end = ends[0]!;
    for (let k = 1; k < r; k++) if (ends[k]! < end) end = ends[k]!;
    fn(values, pos, end);
    pos = end;
    for (let k = 0; k < r; k++) {
      if (ends[k] === end && end < n) {
        const rle = raters[k]!;
        const i = ++idx[k]!;
        values[k] = rle.values[i]!;
        ends[k] = rle.ends[i]!;
      }
    }
  }
}

/**
 * Vote-pattern histogram per label: hist[l][p] = number of voxels where exactly the raters in bit
 * set p gave label l. For R raters there are 2^R patterns; EM needs nothing else (STAPLE's
 * likelihood depends on a voxel only through its pattern), which makes it independent of volume size.
 */
export function votePatternHistograms(
  raters: readonly LabelRle[],
  labels: readonly number[],
): Float64Array[] {
  const r = raters.length;
  if (r > 16) throw new RleError('vote patterns support at most 16 raters');
  const size = 1 << r;
  const hist = labels.map(() => new Float64Array(size));
  const labelCount = labels.length;
  forEachSegment(raters, (values, start, end) => {
    const len = end - start;
    for (let li = 0; li < labelCount; li++) {
      const l = labels[li]!;
      let p = 0;
      for (let k = 0; k < r; k++) if (values[k] === l) p |= 1 << k;
      hist[li]![p]! += len;
    }
  });
  return hist;
}

/** Vote-pattern histogram of R binary byte masks (nonzero = vote), for inputs not stored as RLE. */
export function votePatternHistogramFromMasks(masks: readonly Uint8Array[]): Float64Array {
  const r = masks.length;
  if (r > 16) throw new RleError('vote patterns support at most 16 raters');
  const n = masks[0]?.length ?? 0;
  const hist = new Float64Array(1 << r);
  const counts = new Uint32Array(1 << r);
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let k = 0; k < r; k++) if (masks[k]![i] !== 0) p |= 1 << k;
    counts[p]!++;
    // Flush before a Uint32 bin could overflow.
    if ((i & 0x3fffffff) === 0x3fffffff)
      for (let q = 0; q < counts.length; q++) {
        hist[q]! += counts[q]!;
        counts[q] = 0;
      }
  }
  for (let q = 0; q < counts.length; q++) hist[q]! += counts[q]!;
  return hist;
}

/** Appends runs, merging equal neighbours, into a LabelRle. */
export class LabelRleBuilder {
  private values: number[] = [];
  private ends: number[] = [];
  push(value: number, end: number): void {
    const last = this.values.length - 1;
    if (last >= 0 && this.values[last] === value) this.ends[last] = end;
    else {
      this.values.push(value);
      this.ends.push(end);
    }
  }
  done(length: number): LabelRle {
    return { length, values: Uint8Array.from(this.values), ends: Uint32Array.from(this.ends) };
  }
}
