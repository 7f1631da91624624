import type { VoxelBox } from './box-region.ts';
import { boxDims, isEmptyBox, maskBox, maskToBox, rleBox, unionBox } from './box-region.ts';
import { edtQueries, squaredEdtFromSources } from './edt.ts';
import type { Grid } from './grid.ts';
import { axisCoordinates } from './grid.ts';
import type { BinaryRle } from './rle.ts';
import { rleToBoxRows, surfaceFromRows } from './surface-rows.ts';

/** A binary mask as a byte mask (nonzero = foreground) or a binary RLE. */
export type MaskInput = Uint8Array | BinaryRle;

/**
 * Symmetric surface distances in mm. Conventions (MONAI's; DeepMind's surface-distance weights
 * voxels by surface-element area instead, so its percentiles differ slightly):
 * - surface voxel: a foreground voxel with a 6-neighbour that is background or outside the volume;
 * - directed distances: from every surface voxel of one mask to the nearest surface voxel of the other;
 * - hd95Mm = max of the two directed 95th percentiles (linear interpolation, numpy's default);
 * - hdMaxMm = classic Hausdorff distance; assdMm = mean of both directed distance sets pooled.
 * null when either mask is empty (the distance is undefined).
 */
export interface SurfaceDistances {
  hd95Mm: number | null;
  hdMaxMm: number | null;
  assdMm: number | null;
}

interface Directed {
  p95: number;
  max: number;
  sum: number;
  count: number;
}

function isRle(m: MaskInput): m is BinaryRle {
  return !(m instanceof Uint8Array);
}

/** Local indices of a box mask's surface voxels; voxels outside the box count as background. */
export function surfaceVoxels(mask: Uint8Array, dims: readonly [number, number, number]): Uint32Array {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const out: number[] = [];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = nx * (y + ny * z);
      for (let x = 0; x < nx; x++) {
        const i = row + x;
        if (mask[i] === 0) continue;
        if (
          x === 0 ||
          x === nx - 1 ||
          y === 0 ||
          y === ny - 1 ||
          z === 0 ||
          z === nz - 1 ||
          mask[i - 1] === 0 ||
          mask[i + 1] === 0 ||
          mask[i - nx] === 0 ||
          mask[i + nx] === 0 ||
          mask[i - sxy] === 0 ||
          mask[i + sxy] === 0
        ) {
          out.push(i);
        }
      }
    }
  }
  return Uint32Array.from(out);
}

/** p-th percentile (0..100) of ascending values, linear interpolation between closest ranks. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (rank - lo) * (sorted[hi]! - sorted[lo]!);
}

function directed(from: Uint32Array, toSqEdt: Float64Array, scratch: Float64Array): Directed {
  const n = from.length;
  const d = scratch.subarray(0, n);
  let sum = 0;
  let max = 0;
  for (let k = 0; k < n; k++) {
    const v = Math.sqrt(toSqEdt[from[k]!]!);
    d[k] = v;
    sum += v;
    if (v > max) max = v;
  }
  return { p95: percentile(d, 95), max, sum, count: n };
}

/**
 * p-th percentile with linear interpolation (numpy's default), by selection instead of a full
 * sort: O(n) expected. Reorders `values`.
 */
export function percentile(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const a = select(values, lo);
  if (lo + 1 >= n || rank === lo) return a;
  // After selecting lo, the next order statistic is the minimum of the upper part.
  let b = Infinity;
  for (let k = lo + 1; k < n; k++) if (values[k]! < b) b = values[k]!;
  return a + (rank - lo) * (b - a);
}

/** k-th smallest (0-based) by Hoare's quickselect with median-of-three pivots; reorders `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Surface distances between every pair of masks on one grid. Each mask's surface gets one EDT,
 * computed only inside the bounding box of all masks (exact: every surface voxel is in it), and
 * is reused for all its pairs, so N masks cost N transforms, not N².
 * @returns symmetric N×N matrix; diagonal entries are 0 (or null for an empty mask)
 */
export function surfaceDistanceMatrix(grid: Grid, masks: readonly MaskInput[]): SurfaceDistances[][] {
  const n = masks.length;
  const boxes = masks.map((m) => (isRle(m) ? rleBox(m, grid.dims) : maskBox(m, grid.dims)));
  let box: VoxelBox = boxes[0]!;
  for (const b of boxes) box = unionBox(box, b);
  const nullRow = (): SurfaceDistances[] =>
    Array.from({ length: n }, () => ({ hd95Mm: null, hdMaxMm: null, assdMm: null }));
  const result = Array.from({ length: n }, nullRow);
  if (n === 0 || isEmptyBox(box)) return result;

  // Identical masks (e.g. majority vote and STAPLE consensus often are) share one surface and EDT.
  const canon = masks.map((m, i) => {
    for (let j = 0; j < i; j++) if (sameMask(m, masks[j]!)) return j;
    return i;
  });
  const dims = boxDims(box);
  const [cx, cy, cz] = axisCoordinates(grid);
  const coords = [
    cx.subarray(box.min[0], box.max[0] + 1),
    cy.subarray(box.min[1], box.max[1] + 1),
    cz.subarray(box.min[2], box.max[2] + 1),
  ] as const;
  const surfaces = masks.map((m, i) => {
    if (isEmptyBox(boxes[i]!) || canon[i] !== i) return new Uint32Array(0);
    // Run-length input never needs a decoded box: its surface comes from the runs directly.
    if (isRle(m)) return surfaceFromRows(rleToBoxRows(m, grid.dims, box), dims);
    return surfaceVoxels(maskToBox(m, grid.dims, box), dims);
  });

  // dir[j][i]: distances from surface j to surface i.
  const dir: (Directed | null)[][] = Array.from({ length: n }, () =>
    new Array<Directed | null>(n).fill(null),
  );
  const plane = dims[0] * dims[1];
  const out = new Float64Array(plane * dims[2]);
  // Distances are only ever read at surface voxels: the EDT evaluates only there.
  const queries = edtQueries(surfaces, dims);
  const scratch = new Float64Array(Math.max(0, ...surfaces.map((x) => x.length)));
  for (let i = 0; i < n; i++) {
    const si = surfaces[i]!;
    if (si.length === 0) continue;
    const edt = squaredEdtFromSources(si, dims, coords, { out, queries });
    for (let j = 0; j < n; j++) {
      if (j === i || surfaces[j]!.length === 0) continue;
      dir[j]![i] = directed(surfaces[j]!, edt, scratch);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const ci = canon[i]!;
      const cj = canon[j]!;
      if (ci === cj) {
        if (surfaces[ci]!.length > 0) {
          result[i]![j] = { hd95Mm: 0, hdMaxMm: 0, assdMm: 0 };
          result[j]![i] = result[i]![j]!;
        }
        continue;
      }
      const ab = dir[ci]![cj];
      const ba = dir[cj]![ci];
      if (!ab || !ba) continue;
      const r = {
        hd95Mm: Math.max(ab.p95, ba.p95),
        hdMaxMm: Math.max(ab.max, ba.max),
        assdMm: (ab.sum + ba.sum) / (ab.count + ba.count),
      };
      result[i]![j] = r;
      result[j]![i] = r;
    }
  }
  return result;
}

function sameMask(a: MaskInput, b: MaskInput): boolean {
  if (a === b) return true;
  if (isRle(a) && isRle(b)) {
    if (a.length !== b.length || a.counts.length !== b.counts.length) return false;
    for (let k = 0; k < a.counts.length; k++) if (a.counts[k] !== b.counts[k]) return false;
    return true;
  }
  if (!isRle(a) && !isRle(b)) {
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if ((a[k] !== 0) !== (b[k] !== 0)) return false;
    return true;
  }
  return false;
}

/** Surface distances of one pair of masks. */
export function surfaceDistance(grid: Grid, a: MaskInput, b: MaskInput): SurfaceDistances {
  return surfaceDistanceMatrix(grid, [a, b])[0]![1]!;
}
