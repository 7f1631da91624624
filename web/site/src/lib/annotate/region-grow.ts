// Region growing ("magic wand"): the connected set of pixels around a seed whose value lies in a
// range, by scanline flood fill with an explicit stack (no recursion, no per-pixel queue entries).
// 4-connected within a slice; in 3D also the same pixel on the slices above and below (6-connected).

/** One slice of a stack: its stored values and the linear map to the unit the range is in (HU). */
export interface GrowSlice {
  pixels: ArrayLike<number>;
  /** value = stored × slope + intercept; 1 and 0 when the pixels already are in range units. */
  slope?: number;
  intercept?: number;
}

export interface GrowOptions {
  width: number;
  height: number;
  /** The stack; an undefined slice (not loaded yet) is a wall. */
  slices: ReadonlyArray<GrowSlice | undefined>;
  seed: { x: number; y: number; z: number };
  /** Inclusive range, in the slices' units after slope/intercept. */
  low: number;
  high: number;
  /** Grow onto neighbouring slices too. */
  threeD?: boolean;
  /** Stop when the region would be larger than this many pixels (voxels). */
  maxSize?: number;
}

export interface GrowResult {
  /** Per slice index, a width×height 0/1 mask of the region on that slice (only slices it reaches). */
  masks: Map<number, Uint8Array>;
  size: number;
  /** True when the region reached maxSize: `masks` is then only part of it and should not be used. */
  exceeded: boolean;
}

export type GrowError = 'GROW_SEED_OUTSIDE' | 'GROW_BAD_SIZE';

export class RegionGrowError extends Error {
  constructor(
    readonly code: GrowError,
    message: string,
  ) {
    super(message);
  }
}

/** The value under a seed, in range units; undefined when the slice is missing or the seed is off it. */
export function valueAt(slice: GrowSlice | undefined, width: number, height: number, x: number, y: number) {
  if (!slice || x < 0 || y < 0 || x >= width || y >= height) return undefined;
  const v = slice.pixels[y * width + x] as number;
  return v * (slice.slope ?? 1) + (slice.intercept ?? 0);
}

export function regionGrow(o: GrowOptions): GrowResult {
  const { width: w, height: h, slices } = o;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) {
    throw new RegionGrowError('GROW_BAD_SIZE', `bad slice size ${w}×${h}`);
  }
  const sx = Math.floor(o.seed.x);
  const sy = Math.floor(o.seed.y);
  const sz = o.seed.z;
  if (sx < 0 || sy < 0 || sx >= w || sy >= h || !slices[sz] || sz < 0 || sz >= slices.length) {
    throw new RegionGrowError('GROW_SEED_OUTSIDE', 'the seed is not on a loaded image');
  }
  const maxSize = o.maxSize ?? Number.POSITIVE_INFINITY;
  const masks = new Map<number, Uint8Array>();
  const result: GrowResult = { masks, size: 0, exceeded: false };

  // The range in each slice's stored units, so the inner loop compares raw values.
  const lo = new Float64Array(slices.length);
  const hi = new Float64Array(slices.length);
  for (let z = 0; z < slices.length; z++) {
    const s = slices[z];
    if (!s) continue;
    const slope = s.slope ?? 1;
    const intercept = s.intercept ?? 0;
    const a = (o.low - intercept) / slope;
    const b = (o.high - intercept) / slope;
    lo[z] = Math.min(a, b);
    hi[z] = Math.max(a, b);
  }
  const inside = (px: ArrayLike<number>, i: number, z: number) => {
    const v = px[i] as number;
    return v >= (lo[z] as number) && v <= (hi[z] as number);
  };
  const maskOf = (z: number) => {
    let m = masks.get(z);
    if (!m) {
      m = new Uint8Array(w * h);
      masks.set(z, m);
    }
    return m;
  };

  // Pending work: spans [x0, x1] of row y on slice z whose pixels may start new runs.
  const stack: number[] = [sx, sx, sy, sz];
  while (stack.length > 0) {
    const z = stack.pop() as number;
    const y = stack.pop() as number;
    const x1 = stack.pop() as number;
    const x0 = stack.pop() as number;
    const slice = slices[z];
    if (!slice) continue;
    const px = slice.pixels;
    const mask = maskOf(z);
    const row = y * w;
    let x = x0;
    while (x <= x1) {
      // Skip to the next pixel of this span that is in range and not yet taken.
      while (x <= x1 && (mask[row + x] === 1 || !inside(px, row + x, z))) x++;
      if (x > x1) break;
      // Extend the run both ways as far as it goes.
      let l = x;
      while (l > 0 && mask[row + l - 1] === 0 && inside(px, row + l - 1, z)) l--;
      let r = x;
      while (r < w - 1 && mask[row + r + 1] === 0 && inside(px, row + r + 1, z)) r++;
      const n = r - l + 1;
      if (result.size + n > maxSize) {
        result.exceeded = true;
        return result;
      }
      mask.fill(1, row + l, row + r + 1);
      result.size += n;
      if (y > 0) stack.push(l, r, y - 1, z);
      if (y < h - 1) stack.push(l, r, y + 1, z);
      if (o.threeD) {
        if (z > 0 && slices[z - 1]) stack.push(l, r, y, z - 1);
        if (z < slices.length - 1 && slices[z + 1]) stack.push(l, r, y, z + 1);
      }
      x = r + 2;
    }
  }
  return result;
}
