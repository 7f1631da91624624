// Shape-based interpolation of binary masks between two slices (Raya & Udupa 1990; Herman et al.
// 1992): each drawn slice becomes a signed distance map (negative inside, positive outside, zero
// half a pixel past the edge), the maps are blended linearly for each slice in between, and the
// blend's non-positive part is the interpolated mask. Distances are exact Euclidean distance
// transforms (Felzenszwalb & Huttenlocher 2012), linear in the number of pixels.

const INF = 1e20;

/** One-dimensional squared distance transform of `f` (length n) into `d`, with scratch v and z. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s: number;
    for (;;) {
      const p = v[k] as number;
      s = ((f[q] as number) + q * q - ((f[p] as number) + p * p)) / (2 * q - 2 * p);
      if (s > (z[k] as number)) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q) k++;
    const p = v[k] as number;
    d[q] = (q - p) * (q - p) + (f[p] as number);
  }
}

/**
 * Euclidean distance from every pixel to the nearest pixel where `target(i)` holds (0 on those);
 * INF-like (≥1e10) everywhere when no pixel does.
 */
export function distanceTransform(
  width: number,
  height: number,
  target: (i: number) => boolean,
): Float64Array {
  const n = Math.max(width, height);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const out = new Float64Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = target(i) ? 0 : INF;
  // Columns, then rows, of squared distances.
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = out[y * width + x] as number;
    edt1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y] as number;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x] as number;
    edt1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = Math.sqrt(d[x] as number);
  }
  return out;
}

/** Signed distance to the mask's edge: −(distance to outside − ½) inside, distance to inside − ½ outside. */
export function signedDistance(mask: ArrayLike<number>, width: number, height: number): Float32Array {
  const toInside = distanceTransform(width, height, (i) => mask[i] !== 0);
  const toOutside = distanceTransform(width, height, (i) => mask[i] === 0);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    out[i] = mask[i] !== 0 ? -((toOutside[i] as number) - 0.5) : (toInside[i] as number) - 0.5;
  }
  return out;
}

export class MaskInterpolationError extends Error {
  constructor(
    readonly code: 'INTERPOLATE_EMPTY' | 'INTERPOLATE_SIZE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `between` masks for the slices strictly between two drawn slices `a` and `b`, in order from
 * a to b: slice k (1-based) is at fraction k / (between + 1) of the way.
 */
export function interpolateMasks(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  width: number,
  height: number,
  between: number,
): Uint8Array[] {
  const n = width * height;
  if (a.length !== n || b.length !== n) {
    throw new MaskInterpolationError('INTERPOLATE_SIZE', 'the two masks are not width × height');
  }
  const empty = (m: ArrayLike<number>) => {
    for (let i = 0; i < n; i++) if (m[i] !== 0) return false;
    return true;
  };
  if (empty(a) || empty(b)) {
    throw new MaskInterpolationError('INTERPOLATE_EMPTY', 'both slices need a mask to interpolate');
  }
  const da = signedDistance(a, width, height);
  const db = signedDistance(b, width, height);
  const out: Uint8Array[] = [];
  for (let k = 1; k <= between; k++) {
    const t = k / (between + 1);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if ((1 - t) * (da[i] as number) + t * (db[i] as number) <= 0) m[i] = 1;
    }
    out.push(m);
  }
  return out;
}

/**
 * Which gaps to fill in a stack: for each pair of consecutive slices that have a mask, with empty
 * slices between them, the pair [from, to].
 */
export function gapsBetween(drawn: Iterable<number>): Array<[number, number]> {
  const s = [...new Set(drawn)].sort((x, y) => x - y);
  const out: Array<[number, number]> = [];
  for (let i = 1; i < s.length; i++) {
    const from = s[i - 1] as number;
    const to = s[i] as number;
    if (to - from > 1) out.push([from, to]);
  }
  return out;
}
