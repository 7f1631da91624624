/** Deterministic test data: seeded PRNG and simple solids on a voxel grid. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type D3 = [number, number, number];

/** Writes `value` into every voxel whose centre is inside the ellipsoid (radii in voxels). */
export function paintEllipsoid(vol: Uint8Array, dims: D3, c: D3, r: D3, value = 1): void {
  const [nx, ny, nz] = dims;
  for (let z = Math.max(0, Math.floor(c[2] - r[2])); z <= Math.min(nz - 1, Math.ceil(c[2] + r[2])); z++) {
    for (let y = Math.max(0, Math.floor(c[1] - r[1])); y <= Math.min(ny - 1, Math.ceil(c[1] + r[1])); y++) {
      for (let x = Math.max(0, Math.floor(c[0] - r[0])); x <= Math.min(nx - 1, Math.ceil(c[0] + r[0])); x++) {
        const q = ((x - c[0]) / r[0]) ** 2 + ((y - c[1]) / r[1]) ** 2 + ((z - c[2]) / r[2]) ** 2;
        if (q <= 1) vol[x + nx * (y + ny * z)] = value;
      }
    }
  }
}

/** Writes `value` into the inclusive voxel box [lo, hi]. */
export function paintBox(vol: Uint8Array, dims: D3, lo: D3, hi: D3, value = 1): void {
  const [nx, ny] = dims;
  for (let z = lo[2]; z <= hi[2]; z++) {
    for (let y = lo[1]; y <= hi[1]; y++) {
      for (let x = lo[0]; x <= hi[0]; x++) vol[x + nx * (y + ny * z)] = value;
    }
  }
}
