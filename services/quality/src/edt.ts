/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, the separable
 * lower envelope of parabolas; Saito & Toriwaki's decomposition). Every axis takes explicit sample
 * coordinates in mm, so anisotropic and non-uniform slice spacing are exact, not approximated.
 * O(voxels) per axis: no brute-force point-to-point search.
 */

/**
 * Squared distance (mm²) from every voxel of a box to the nearest source voxel.
 * @param source box-shaped mask, x fastest, nonzero = source
 * @param dims box size
 * @param coords sample coordinates (mm) along x, y, z of the box
 * @returns Float64Array; Infinity where the box has no source at all
 */
export function squaredEdt(
  source: Uint8Array,
  dims: readonly [number, number, number],
  coords: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>],
): Float64Array {
  const [nx, ny, nz] = dims;
  const d = new Float64Array(nx * ny * nz);
  const cx = coords[0];
  // Pass 1 (x) on a binary input needs no envelope: nearest source to the left and to the right.
  for (let row = 0; row < ny * nz; row++) {
    const base = row * nx;
    let last = -1;
    for (let x = 0; x < nx; x++) {
      if (source[base + x] !== 0) last = x;
      if (last < 0) d[base + x] = Infinity;
      else {
        const t = cx[x]! - cx[last]!;
        d[base + x] = t * t;
      }
    }
    last = -1;
    for (let x = nx - 1; x >= 0; x--) {
      if (source[base + x] !== 0) last = x;
      if (last >= 0) {
        const t = cx[last]! - cx[x]!;
        const v = t * t;
        if (v < d[base + x]!) d[base + x] = v;
      }
    }
  }
  const maxN = Math.max(ny, nz);
  const f = new Float64Array(maxN);
  const out = new Float64Array(maxN);
  const v = new Int32Array(maxN);
  const z = new Float64Array(maxN + 1);
  // Pass 2 (y) and pass 3 (z): lower envelope along each line.
  for (let zi = 0; zi < nz; zi++) {
    for (let x = 0; x < nx; x++) {
      const base = x + zi * nx * ny;
      lineEnvelope(d, base, nx, ny, coords[1], f, out, v, z);
    }
  }
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      lineEnvelope(d, x + y * nx, nx * ny, nz, coords[2], f, out, v, z);
    }
  }
  return d;
}

/** 1D transform of d[base + i*stride], i < n, in place: min over q of f(q) + (c_i − c_q)². */
function lineEnvelope(
  d: Float64Array,
  base: number,
  stride: number,
  n: number,
  c: ArrayLike<number>,
  f: Float64Array,
  out: Float64Array,
  v: Int32Array,
  z: Float64Array,
): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = d[base + q * stride]!;
    f[q] = fq;
    if (fq === Infinity) continue; // no source on this line's sample: not a parabola
    const cq = c[q]!;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s = 0;
    for (;;) {
      const p = v[k]!;
      const cp = c[p]!;
      s = (fq + cq * cq - (f[p]! + cp * cp)) / (2 * (cq - cp));
      if (s <= z[k]! && k > 0) k--;
      else break;
    }
    // k === 0 with s <= z[0] cannot happen: z[0] is −∞.
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) return; // whole line without sources stays Infinity
  k = 0;
  for (let q = 0; q < n; q++) {
    const cq = c[q]!;
    while (z[k + 1]! < cq) k++;
    const p = v[k]!;
    const t = cq - c[p]!;
    out[q] = t * t + f[p]!;
  }
  for (let q = 0; q < n; q++) d[base + q * stride] = out[q]!;
}
