/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, the separable
 * lower envelope of parabolas; Saito & Toriwaki's decomposition). Every axis takes explicit sample
 * coordinates in mm, so anisotropic and non-uniform slice spacing are exact, not approximated.
 * O(voxels) per axis: no brute-force point-to-point search.
 *
 * Passes 1 and 2 run slice by slice while the slice is in cache; pass 3 gathers blocks of
 * neighbouring z-lines. Given the voxels that will be read (`queries`), the final evaluations
 * run only there: surface distances read a thin shell, not the whole box.
 */

export interface EdtOptions {
  /** Output buffer to reuse (length ≥ voxels of the box); saves a large allocation per call. */
  out?: Float64Array;
  /**
   * Only these voxels will be read: the result is exact there and unspecified elsewhere.
   * Surface distances read a thin shell, so most of the final evaluation can be skipped.
   */
  queries?: EdtQueries;
}

/** Voxels to evaluate, grouped by (x,y) line: line xy holds slices z[lineStart[xy] .. lineStart[xy+1]). */
export interface EdtQueries {
  lineStart: Int32Array;
  z: Int32Array;
}

/** Groups box voxel indices (x fastest) into EdtQueries; duplicates are kept once. */
export function edtQueries(
  voxels: readonly ArrayLike<number>[],
  dims: readonly [number, number, number],
): EdtQueries {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const mark = new Uint8Array(plane * nz);
  for (const list of voxels) for (let k = 0; k < list.length; k++) mark[list[k]!] = 1;
  const lineStart = new Int32Array(plane + 1);
  for (let i = 0; i < mark.length; i++) if (mark[i]) lineStart[(i % plane) + 1]!++;
  for (let xy = 0; xy < plane; xy++) lineStart[xy + 1]! += lineStart[xy]!;
  const z = new Int32Array(lineStart[plane]!);
  const fill = lineStart.slice(0, plane);
  // Scanning in index order visits each line's slices in ascending z.
  for (let i = 0; i < mark.length; i++) if (mark[i]) z[fill[i % plane]!++] = Math.floor(i / plane);
  return { lineStart, z };
}

/** Lines of pass 3 processed together; 8 doubles = one cache line per slice. */
const BLOCK = 8;

/**
 * Squared distance (mm²) from every voxel of a box to the nearest source voxel.
 * @param source box-shaped mask, x fastest, nonzero = source
 * @param dims box size
 * @param coords sample coordinates (mm) along x, y, z of the box
 * @returns Infinity everywhere when the box has no source at all
 */
export function squaredEdt(
  source: Uint8Array,
  dims: readonly [number, number, number],
  coords: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>],
  options: EdtOptions = {},
): Float64Array {
  let count = 0;
  for (let i = 0; i < source.length; i++) if (source[i] !== 0) count++;
  const list = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < source.length; i++) if (source[i] !== 0) list[k++] = i;
  return squaredEdtFromSources(list, dims, coords, options);
}

/**
 * The same transform from the sources' box indices in ascending order (a surface voxel list):
 * pass 1 walks each row's sources instead of scanning bytes.
 */
export function squaredEdtFromSources(
  sources: Uint32Array,
  dims: readonly [number, number, number],
  coords: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>],
  options: EdtOptions = {},
): Float64Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const n = plane * nz;
  const d = options.out && options.out.length >= n ? options.out : new Float64Array(n);
  const cx = Float64Array.from(coords[0]);
  const cy = Float64Array.from(coords[1]);
  const cz = Float64Array.from(coords[2]);
  const ws = new Envelope(Math.max(ny, nz));
  const finiteRows = new Int32Array(ny);
  const gathered = new Float64Array(Math.max(ny, nz) * BLOCK);
  const evaluated = new Float64Array(Math.max(ny, nz) * BLOCK);
  const sliceFinite = new Int32Array(nz);
  let finiteSlices = 0;
  const queries = options.queries;
  // With queries, pass 2 only needs to finish the (x,y) lines that pass 3 will read.
  const yStart = new Int32Array(nx + 1);
  let yList = new Int32Array(0);
  if (queries) {
    const ls = queries.lineStart;
    for (let xy = 0; xy < plane; xy++) if (ls[xy + 1]! > ls[xy]!) yStart[(xy % nx) + 1]!++;
    for (let x = 0; x < nx; x++) yStart[x + 1]! += yStart[x]!;
    yList = new Int32Array(yStart[nx]!);
    const fill = yStart.slice(0, nx);
    for (let xy = 0; xy < plane; xy++)
      if (ls[xy + 1]! > ls[xy]!) yList[fill[xy % nx]!++] = Math.floor(xy / nx);
  }

  for (let i = 1; i < sources.length; i++) {
    if (sources[i]! <= sources[i - 1]!) throw new RangeError('EDT sources must be ascending box indices');
  }
  let next = 0;
  for (let zi = 0; zi < nz; zi++) {
    const p0 = zi * plane;
    // Pass 1 (x) needs no envelope: each voxel's nearest source in its row is the last one at or
    // before it or the next one after it. A row without a source stays unwritten: pass 2 builds
    // only from rows that have one.
    let m = 0;
    const sliceEnd = p0 + plane;
    while (next < sources.length && sources[next]! < sliceEnd) {
      const rowBase = sources[next]! - (sources[next]! % nx);
      const y = (rowBase - p0) / nx;
      let e = next;
      while (e < sources.length && sources[e]! < rowBase + nx) e++;
      finiteRows[m++] = y;
      let k = next;
      for (let x = 0; x < nx; x++) {
        while (k + 1 < e && sources[k + 1]! - rowBase <= x) k++;
        const t = cx[x]! - cx[sources[k]! - rowBase]!;
        let best = t * t;
        if (k + 1 < e) {
          const r = cx[sources[k + 1]! - rowBase]! - cx[x]!;
          if (r * r < best) best = r * r;
        }
        d[rowBase + x] = best;
      }
      next = e;
    }
    if (m === 0) continue; // slice without sources: pass 3 never reads it
    sliceFinite[finiteSlices++] = zi;
    // Pass 2 (y), in the same slice while it is still in cache.
    for (let x = 0; x < nx; x++) {
      const base = p0 + x;
      if (queries && yStart[x + 1] === yStart[x]) continue;
      if (queries) {
        // Read and write the line in place: the envelope keeps its own copy of the inputs.
        ws.buildFromLine(d, base, nx, finiteRows, m, cy);
        ws.evaluateIntoLine(yList, yStart[x]!, yStart[x + 1]!, cy, d, base, nx);
      } else {
        for (let i = 0; i < m; i++) gathered[i] = d[base + finiteRows[i]! * nx]!;
        ws.build(gathered, 0, finiteRows, m, cy);
        ws.evaluate(ny, cy, evaluated, 0);
        for (let y = 0; y < ny; y++) d[base + y * nx] = evaluated[y]!;
      }
    }
  }
  if (finiteSlices === 0) return d.fill(Infinity, 0, n);

  // Pass 3 (z): every (x,y) line is finite exactly on the slices that had a source.
  const m = finiteSlices;
  if (queries) {
    // Only a few voxels per line are read, so minimise directly over slices, nearest first,
    // stopping once the slice gap alone exceeds the best distance found: exact, and typically
    // a handful of slices per voxel instead of an envelope over every slice of every line.
    const { lineStart, z } = queries;
    const finite = new Uint8Array(nz);
    for (let i = 0; i < m; i++) finite[sliceFinite[i]!] = 1;
    const result = evaluated.length >= lineStart[plane]! ? evaluated : new Float64Array(lineStart[plane]!);
    for (let xy = 0; xy < plane; xy++) {
      const to = lineStart[xy + 1]!;
      for (let j = lineStart[xy]!; j < to; j++) {
        const zq = z[j]!;
        const c0 = cz[zq]!;
        let best = finite[zq] ? d[zq * plane + xy]! : Infinity;
        for (let zz = zq + 1; zz < nz; zz++) {
          const t = cz[zz]! - c0;
          const dz2 = t * t;
          if (dz2 >= best) break;
          if (finite[zz] === 0) continue;
          const v = d[zz * plane + xy]! + dz2;
          if (v < best) best = v;
        }
        for (let zz = zq - 1; zz >= 0; zz--) {
          const t = c0 - cz[zz]!;
          const dz2 = t * t;
          if (dz2 >= best) break;
          if (finite[zz] === 0) continue;
          const v = d[zz * plane + xy]! + dz2;
          if (v < best) best = v;
        }
        result[j] = best;
      }
    }
    // Written after all reads: the pass-2 values above must not be overwritten mid-way.
    for (let xy = 0; xy < plane; xy++) {
      const to = lineStart[xy + 1]!;
      for (let j = lineStart[xy]!; j < to; j++) d[z[j]! * plane + xy] = result[j]!;
    }
    return d;
  }
  for (let xy0 = 0; xy0 < plane; xy0 += BLOCK) {
    const b = Math.min(BLOCK, plane - xy0);
    for (let i = 0; i < m; i++) {
      const src = sliceFinite[i]! * plane + xy0;
      for (let k = 0; k < b; k++) gathered[k * m + i] = d[src + k]!;
    }
    for (let k = 0; k < b; k++) {
      ws.build(gathered, k * m, sliceFinite, m, cz);
      ws.evaluate(nz, cz, evaluated, k * nz);
    }
    for (let z = 0; z < nz; z++) {
      const dst = z * plane + xy0;
      for (let k = 0; k < b; k++) d[dst + k] = evaluated[k * nz + z]!;
    }
  }
  return d;
}

/** Lower envelope of the parabolas y = f_q + (x − c_q)² of one line. */
class Envelope {
  private readonly f: Float64Array;
  /** f + c², cached so each intersection costs one division. */
  private readonly g: Float64Array;
  /** Sample index of each parabola in the envelope. */
  private readonly v: Int32Array;
  private readonly z: Float64Array;
  constructor(n: number) {
    this.f = new Float64Array(n);
    this.g = new Float64Array(n);
    this.v = new Int32Array(n);
    this.z = new Float64Array(n + 1);
  }

  /** Builds from values vals[off + i] at samples pos[i], i < m (ascending, m ≥ 1). */
  build(vals: Float64Array, off: number, pos: Int32Array, m: number, c: Float64Array): void {
    this.start(pos[0]!, vals[off]!, c);
    let k = 0;
    for (let i = 1; i < m; i++) k = this.push(k, pos[i]!, vals[off + i]!, c);
  }

  /** build() reading the value of sample pos[i] from line[base + pos[i]·stride]. */
  buildFromLine(
    line: Float64Array,
    base: number,
    stride: number,
    pos: Int32Array,
    m: number,
    c: Float64Array,
  ): void {
    const q0 = pos[0]!;
    this.start(q0, line[base + q0 * stride]!, c);
    let k = 0;
    for (let i = 1; i < m; i++) {
      const q = pos[i]!;
      k = this.push(k, q, line[base + q * stride]!, c);
    }
  }

  /** The envelope of the first parabola alone (sample q0, value f0). */
  private start(q0: number, f0: number, c: Float64Array): void {
    const { f, g, v, z } = this;
    f[q0] = f0;
    g[q0] = f0 + c[q0]! * c[q0]!;
    v[0] = q0;
    z[0] = -Infinity;
    z[1] = Infinity;
  }

  /** Adds the parabola of sample q (value fq) to an envelope whose last one is v[k]; returns the new k. */
  private push(k: number, q: number, fq: number, c: Float64Array): number {
    const { f, g, v, z } = this;
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
    return k;
  }

  /** Writes the envelope at samples idx[from..to) (ascending) into line[base + idx[j]·stride]. */
  evaluateIntoLine(
    idx: Int32Array,
    from: number,
    to: number,
    c: Float64Array,
    line: Float64Array,
    base: number,
    stride: number,
  ): void {
    const { f, v, z } = this;
    let k = 0;
    for (let j = from; j < to; j++) {
      const q = idx[j]!;
      const cq = c[q]!;
      while (z[k + 1]! < cq) k++;
      const p = v[k]!;
      const t = cq - c[p]!;
      line[base + q * stride] = t * t + f[p]!;
    }
  }

  /** Writes min over the envelope at every sample q < n into out[off + q]. */
  evaluate(n: number, c: Float64Array, out: Float64Array, off: number): void {
    const { f, v, z } = this;
    let k = 0;
    for (let q = 0; q < n; q++) {
      const cq = c[q]!;
      while (z[k + 1]! < cq) k++;
      const p = v[k]!;
      const t = cq - c[p]!;
      out[off + q] = t * t + f[p]!;
    }
  }
}
