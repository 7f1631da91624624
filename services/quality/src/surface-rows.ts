import type { VoxelBox } from './box-region.ts';
import { boxDims } from './box-region.ts';
import type { Dims } from './grid.ts';
import type { BinaryRle } from './rle.ts';

/**
 * Surface voxels straight from run-length rows, without decoding the mask into a box: a voxel
 * is on the surface if it ends its x-run, or if one of the four rows beside it (y±1, z±1) is
 * background at its x. Works run by run (a few runs per row), not voxel by voxel.
 */

/** Foreground runs per box row; row r = ly + by·lz holds runs [x0[k], x1[k]) for rowStart[r] ≤ k < rowStart[r+1]. */
export interface BoxRows {
  rowStart: Int32Array;
  x0: Int32Array;
  x1: Int32Array;
}

/** Splits a binary RLE's foreground runs into box rows (the box must contain the foreground). */
export function rleToBoxRows(rle: BinaryRle, dims: Dims, box: VoxelBox): BoxRows {
  const [nx, ny] = dims;
  const [bx, by, bz] = boxDims(box);
  const rowOf: number[] = [];
  const xs0: number[] = [];
  const xs1: number[] = [];
  let pos = 0;
  for (let r = 0; r < rle.counts.length; r++) {
    const c = rle.counts[r]!;
    if (r & 1) {
      let s = pos;
      const e = pos + c;
      while (s < e) {
        const x = s % nx;
        const rowEnd = Math.min(e, s - x + nx);
        const y = Math.floor(s / nx) % ny;
        const z = Math.floor(s / (nx * ny));
        const lx = x - box.min[0];
        const ly = y - box.min[1];
        const lz = z - box.min[2];
        const len = rowEnd - s;
        if (lx < 0 || ly < 0 || lz < 0 || lx + len > bx || ly >= by || lz >= bz) {
          throw new RangeError('mask reaches outside the box');
        }
        rowOf.push(ly + by * lz);
        xs0.push(lx);
        xs1.push(lx + len);
        s = rowEnd;
      }
    }
    pos += c;
  }
  const rows = by * bz;
  const rowStart = new Int32Array(rows + 1);
  for (const row of rowOf) rowStart[row + 1]!++;
  for (let i = 0; i < rows; i++) rowStart[i + 1]! += rowStart[i]!;
  // Runs arrive in flattened order, so rows and x within a row are already ascending.
  return { rowStart, x0: Int32Array.from(xs0), x1: Int32Array.from(xs1) };
}

/**
 * Box indices (x fastest, ascending) of the surface voxels: same definition as surfaceVoxels()
 * on the decoded box mask (6-neighbourhood; outside the box counts as background).
 */
export function surfaceFromRows(rows: BoxRows, bdims: readonly [number, number, number]): Uint32Array {
  const [bx, by, bz] = bdims;
  const { rowStart, x0, x1 } = rows;
  let maxRuns = 1;
  for (let r = 0; r + 1 < rowStart.length; r++) maxRuns = Math.max(maxRuns, rowStart[r + 1]! - rowStart[r]!);
  // Covered intervals (where all four neighbour rows are foreground), double-buffered; each
  // intersection has at most |A| + |B| − 1 intervals, so 4 × the longest row bounds them.
  let c0 = new Int32Array(maxRuns * 4 + 4);
  let c1 = new Int32Array(maxRuns * 4 + 4);
  let t0 = new Int32Array(maxRuns * 4 + 4);
  let t1 = new Int32Array(maxRuns * 4 + 4);
  let out = new Uint32Array(1024);
  let n = 0;
  const emit = (v: number) => {
    if (n === out.length) {
      const bigger = new Uint32Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n++] = v;
  };
  for (let lz = 0; lz < bz; lz++) {
    for (let ly = 0; ly < by; ly++) {
      const row = ly + by * lz;
      const from = rowStart[row]!;
      const to = rowStart[row + 1]!;
      if (from === to) continue;
      const base = bx * row;
      let cn = 0;
      if (ly > 0 && ly < by - 1 && lz > 0 && lz < bz - 1) {
        // Start from row y−1, intersect with y+1, z−1, z+1.
        const s0 = rowStart[row - 1]!;
        const s1 = rowStart[row]!;
        for (let k = s0; k < s1; k++) {
          c0[cn] = x0[k]!;
          c1[cn] = x1[k]!;
          cn++;
        }
        for (const nb of [row + 1, row - by, row + by]) {
          if (cn === 0) break;
          let i = 0;
          let j = rowStart[nb]!;
          const je = rowStart[nb + 1]!;
          let tn = 0;
          while (i < cn && j < je) {
            const lo = Math.max(c0[i]!, x0[j]!);
            const hi = Math.min(c1[i]!, x1[j]!);
            if (hi > lo) {
              t0[tn] = lo;
              t1[tn] = hi;
              tn++;
            }
            if (c1[i]! < x1[j]!) i++;
            else j++;
          }
          [c0, t0] = [t0, c0];
          [c1, t1] = [t1, c1];
          cn = tn;
        }
      }
      let ci = 0;
      for (let k = from; k < to; k++) {
        const a = x0[k]!;
        const b = x1[k]!;
        // x-run ends are surface (their x-neighbour is background or outside the box).
        emit(base + a);
        for (let x = a + 1; x < b - 1; x++) {
          while (ci < cn && c1[ci]! <= x) ci++;
          if (ci < cn && c0[ci]! <= x)
            x = Math.min(c1[ci]!, b - 1) - 1; // skip the covered stretch
          else emit(base + x);
        }
        if (b - 1 > a) emit(base + b - 1);
      }
    }
  }
  return out.slice(0, n);
}
