/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, the separable
 * lower envelope of parabolas; Saito & Toriwaki's decomposition). Every axis takes explicit sample
 * coordinates in mm, so anisotropic and non-uniform slice spacing are exact, not approximated.
 * O(voxels) per axis: no brute-force point-to-point search.
 */

export interface EdtOptions {
  /** Output buffer to reuse (length = voxels of the box); saves a large allocation per call. */
  out?: Float64Array;
  /**
   * Optional per-(x,y) flags: only lines flagged nonzero get the final z pass. Values elsewhere
   * are left as in-slice distances, so read the result only on flagged lines. Callers that query
   * a few voxels (surface distances) skip the z pass where nothing is queried.
   */
  zLines?: Uint8Array;
}

/**
 * Squared distance (mm²) from every voxel of a box to the nearest source voxel.
 * @param source box-shaped mask, x fastest, nonzero = source
 * @param dims box size
 * @param coords sample coordinates (mm) along x, y, z of the box
 * @returns Infinity where the box has no source at all
 */
export function squaredEdt(
  source: Uint8Array,
  dims: readonly [number, number, number],
  coords: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>],
  options: EdtOptions = {},
): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const d = options.out && options.out.length >= n ? options.out : new Float64Array(n);
  const cx = Float64Array.from(coords[0]);
  const cy = Float64Array.from(coords[1]);
  const cz = Float64Array.from(coords[2]);
  // Pass 1 (x) on a binary input needs no envelope: nearest source to the left and to the right.
  // A row with a source becomes finite everywhere; one without stays Infinity. Which rows are
  // finite is the same for every x, so pass 2 can build its envelopes from that list alone.
  const rowFinite = new Uint8Array(ny * nz);
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
    if (last < 0) continue; // no source in this row: all Infinity already
    rowFinite[row] = 1;
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
  const ws = new Workspace(Math.max(ny, nz));
  // Pass 2 (y): lower envelope along each line, over the finite rows only.
  const finite = new Int32Array(Math.max(ny, nz));
  const sliceFinite = new Int32Array(nz);
  let finiteSlices = 0;
  for (let zi = 0; zi < nz; zi++) {
    let m = 0;
    for (let y = 0; y < ny; y++) if (rowFinite[y + ny * zi]) finite[m++] = y;
    if (m === 0) continue; // slice without sources stays Infinity
    sliceFinite[finiteSlices++] = zi;
    const plane = zi * nx * ny;
    for (let x = 0; x < nx; x++) lineEnvelope(d, plane + x, nx, ny, cy, finite, m, ws);
  }
  // Pass 3 (z): every (x,y) line is finite exactly on the slices that had a source.
  if (finiteSlices === 0) return d;
  const zLines = options.zLines;
  for (let xy = 0; xy < nx * ny; xy++) {
    if (zLines && zLines[xy] === 0) continue;
    lineEnvelope(d, xy, nx * ny, nz, cz, sliceFinite, finiteSlices, ws);
  }
  return d;
}

class Workspace {
  readonly f: Float64Array;
  /** f(q) + c(q)², cached so each intersection costs one division. */
  readonly g: Float64Array;
  readonly v: Int32Array;
  readonly z: Float64Array;
  constructor(n: number) {
    this.f = new Float64Array(n);
    this.g = new Float64Array(n);
    this.v = new Int32Array(n);
    this.z = new Float64Array(n + 1);
  }
}

/**
 * 1D transform of d[base + i*stride], i < n, in place: min over sources q of f(q) + (c_i − c_q)².
 * `src[0..m)` lists the sample indices holding finite values (ascending); the rest are Infinity.
 */
function lineEnvelope(
  d: Float64Array,
  base: number,
  stride: number,
  n: number,
  c: Float64Array,
  src: Int32Array,
  m: number,
  ws: Workspace,
): void {
  const { f, g, v, z } = ws;
  let k = 0;
  const q0 = src[0]!;
  const f0 = d[base + q0 * stride]!;
  f[q0] = f0;
  g[q0] = f0 + c[q0]! * c[q0]!;
  v[0] = q0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let i = 1; i < m; i++) {
    const q = src[i]!;
    const fq = d[base + q * stride]!;
    f[q] = fq;
    const cq = c[q]!;
    const gq = fq + cq * cq;
    g[q] = gq;
    let s = 0;
    for (;;) {
      const p = v[k]!;
      s = (gq - g[p]!) / (2 * (cq - c[p]!));
      if (s <= z[k]! && k > 0) k--;
      else break;
    }
    // k === 0 with s <= z[0] cannot happen: z[0] is −∞.
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    const cq = c[q]!;
    while (z[k + 1]! < cq) k++;
    const p = v[k]!;
    const t = cq - c[p]!;
    d[base + q * stride] = t * t + f[p]!;
  }
}
