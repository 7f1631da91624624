import type { Dims } from './grid.ts';
import type { BinaryRle } from './rle.ts';

/** Inclusive voxel bounding box [x0..x1, y0..y1, z0..z1]. */
export interface VoxelBox {
  min: [number, number, number];
  max: [number, number, number];
}

export function emptyBox(): VoxelBox {
  return { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
}

export function isEmptyBox(b: VoxelBox): boolean {
  return b.min[0] > b.max[0];
}

export function unionBox(a: VoxelBox, b: VoxelBox): VoxelBox {
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  };
}

export function boxDims(b: VoxelBox): [number, number, number] {
  return [b.max[0] - b.min[0] + 1, b.max[1] - b.min[1] + 1, b.max[2] - b.min[2] + 1];
}

/** Bounding box of a binary RLE's foreground; a run that wraps a row widens x to the full row. */
export function rleBox(rle: BinaryRle, dims: Dims): VoxelBox {
  const [nx, ny] = dims;
  const box = emptyBox();
  let pos = 0;
  for (let r = 0; r < rle.counts.length; r++) {
    const c = rle.counts[r]!;
    if (r & 1 && c > 0) {
      const s = pos;
      const e = pos + c - 1;
      const xs = s % nx;
      const ys = Math.floor(s / nx) % ny;
      const zs = Math.floor(s / (nx * ny));
      const xe = e % nx;
      const ye = Math.floor(e / nx) % ny;
      const ze = Math.floor(e / (nx * ny));
      const sameRow = s - xs === e - xe;
      widen(
        box,
        sameRow ? xs : 0,
        sameRow ? xe : nx - 1,
        zs === ze ? ys : 0,
        zs === ze ? ye : ny - 1,
        zs,
        ze,
      );
    }
    pos += c;
  }
  return box;
}

function widen(b: VoxelBox, x0: number, x1: number, y0: number, y1: number, z0: number, z1: number): void {
  if (x0 < b.min[0]) b.min[0] = x0;
  if (x1 > b.max[0]) b.max[0] = x1;
  if (y0 < b.min[1]) b.min[1] = y0;
  if (y1 > b.max[1]) b.max[1] = y1;
  if (z0 < b.min[2]) b.min[2] = z0;
  if (z1 > b.max[2]) b.max[2] = z1;
}

/** Bounding box of a byte mask's nonzero voxels. */
export function maskBox(mask: Uint8Array, dims: Dims): VoxelBox {
  const [nx, ny, nz] = dims;
  const box = emptyBox();
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const base = nx * (y + ny * z);
      let first = -1;
      let last = -1;
      for (let x = 0; x < nx; x++) {
        if (mask[base + x] !== 0) {
          if (first < 0) first = x;
          last = x;
        }
      }
      if (first >= 0) widen(box, first, last, y, y, z, z);
    }
  }
  return box;
}

/** The foreground of a binary RLE copied into a box-shaped byte mask (box must contain it). */
export function rleToBox(rle: BinaryRle, dims: Dims, box: VoxelBox): Uint8Array {
  const [nx, ny] = dims;
  const [bx, by, bz] = boxDims(box);
  const out = new Uint8Array(bx * by * bz);
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
        const o = lx + bx * (ly + by * lz);
        out.fill(1, o, o + len);
        s = rowEnd;
      }
    }
    pos += c;
  }
  return out;
}

/** A byte mask's voxels inside a box (nonzero, or equal to label when given), as a box mask. */
export function maskToBox(mask: Uint8Array, dims: Dims, box: VoxelBox, label?: number): Uint8Array {
  const [nx, ny] = dims;
  const [bx, by, bz] = boxDims(box);
  const out = new Uint8Array(bx * by * bz);
  for (let lz = 0; lz < bz; lz++) {
    for (let ly = 0; ly < by; ly++) {
      const src = box.min[0] + nx * (box.min[1] + ly + ny * (box.min[2] + lz));
      const dst = bx * (ly + by * lz);
      for (let lx = 0; lx < bx; lx++) {
        const v = mask[src + lx]!;
        out[dst + lx] = (label === undefined ? v !== 0 : v === label) ? 1 : 0;
      }
    }
  }
  return out;
}
