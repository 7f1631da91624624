/**
 * Binary STAPLE (Warfield, Zou & Wells, IEEE TMI 2004): EM estimate of the hidden true
 * segmentation and of each rater's sensitivity p_r and specificity q_r, with a fixed global prior f.
 * Works on the vote-pattern histogram (see vote-patterns.ts): identical arithmetic to per-voxel EM,
 * but each iteration costs O(2^R · R) instead of O(voxels · R).
 *
 * Specificity counts every background voxel given to EM, so it depends on the volume's extent
 * (a known property of STAPLE); sensitivity does not. Multi-label data: run binary STAPLE per label.
 */
export interface StapleOptions {
  /** Starting sensitivity and specificity of every rater (Warfield: close to, but below, 1). */
  initialSensitivity?: number;
  initialSpecificity?: number;
  /** Prior probability of foreground; default: mean foreground fraction over raters. */
  prior?: number;
  /** Stop when no p_r or q_r moves more than this between iterations. */
  tolerance?: number;
  maxIterations?: number;
}

export interface StapleResult {
  sensitivity: number[];
  specificity: number[];
  prior: number;
  iterations: number;
  converged: boolean;
  /** P(true foreground | pattern) for each of the 2^R vote patterns (bit r = rater r voted). */
  patternProbability: Float64Array;
}

const DEFAULTS = { initialSensitivity: 0.99, initialSpecificity: 0.99, tolerance: 1e-10, maxIterations: 500 };

export function defaultPrior(hist: ArrayLike<number>, raters: number): number {
  let total = 0;
  let votes = 0;
  for (let p = 0; p < hist.length; p++) {
    const h = hist[p]!;
    total += h;
    for (let r = 0; r < raters; r++) if (p & (1 << r)) votes += h;
  }
  return total === 0 ? 0 : votes / (raters * total);
}

/** Posterior of true foreground for one pattern given current parameters. */
export function patternPosterior(
  pattern: number,
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  f: number,
): number {
  let a = f;
  let b = 1 - f;
  for (let r = 0; r < p.length; r++) {
    if (pattern & (1 << r)) {
      a *= p[r]!;
      b *= 1 - q[r]!;
    } else {
      a *= 1 - p[r]!;
      b *= q[r]!;
    }
  }
  const s = a + b;
  // Both zero only when perfect raters contradict each other; fall back to the prior.
  return s > 0 ? a / s : f;
}

export function stapleFromHistogram(
  hist: Float64Array,
  raters: number,
  options: StapleOptions = {},
): StapleResult {
  const o = { ...DEFAULTS, ...options };
  const size = 1 << raters;
  if (hist.length !== size) throw new RangeError('histogram must have 2^raters bins');
  const f = options.prior ?? defaultPrior(hist, raters);
  const p = new Array<number>(raters).fill(o.initialSensitivity);
  const q = new Array<number>(raters).fill(o.initialSpecificity);
  const w = new Float64Array(size);
  let iterations = 0;
  let converged = false;
  while (iterations < o.maxIterations) {
    iterations++;
    for (let k = 0; k < size; k++) w[k] = patternPosterior(k, p, q, f);
    let change = 0;
    for (let r = 0; r < raters; r++) {
      let tp = 0;
      let fg = 0;
      let tn = 0;
      let bg = 0;
      for (let k = 0; k < size; k++) {
        const h = hist[k]!;
        const wk = w[k]! * h;
        const vk = (1 - w[k]!) * h;
        fg += wk;
        bg += vk;
        if (k & (1 << r)) tp += wk;
        else tn += vk;
      }
      const np = fg > 0 ? tp / fg : p[r]!;
      const nq = bg > 0 ? tn / bg : q[r]!;
      change = Math.max(change, Math.abs(np - p[r]!), Math.abs(nq - q[r]!));
      p[r] = np;
      q[r] = nq;
    }
    if (change < o.tolerance) {
      converged = true;
      break;
    }
  }
  for (let k = 0; k < size; k++) w[k] = patternPosterior(k, p, q, f);
  return { sensitivity: p, specificity: q, prior: f, iterations, converged, patternProbability: w };
}

/**
 * Straightforward per-voxel EM, the textbook form: the reference the histogram form is tested
 * against. E and M steps are fused per voxel so no voxel-sized weight array is needed.
 */
export function stapleReference(masks: readonly Uint8Array[], options: StapleOptions = {}): StapleResult {
  const o = { ...DEFAULTS, ...options };
  const raters = masks.length;
  const n = masks[0]?.length ?? 0;
  let f = options.prior;
  if (f === undefined) {
    let votes = 0;
    for (const m of masks) for (let i = 0; i < n; i++) if (m[i] !== 0) votes++;
    f = n === 0 ? 0 : votes / (raters * n);
  }
  const p = new Array<number>(raters).fill(o.initialSensitivity);
  const q = new Array<number>(raters).fill(o.initialSpecificity);
  const tp = new Float64Array(raters);
  const tn = new Float64Array(raters);
  let iterations = 0;
  let converged = false;
  while (iterations < o.maxIterations) {
    iterations++;
    tp.fill(0);
    tn.fill(0);
    let fg = 0;
    let bg = 0;
    for (let i = 0; i < n; i++) {
      let a = f;
      let b = 1 - f;
      for (let r = 0; r < raters; r++) {
        if (masks[r]![i] !== 0) {
          a *= p[r]!;
          b *= 1 - q[r]!;
        } else {
          a *= 1 - p[r]!;
          b *= q[r]!;
        }
      }
      const s = a + b;
      const w = s > 0 ? a / s : f;
      fg += w;
      bg += 1 - w;
      for (let r = 0; r < raters; r++) {
        if (masks[r]![i] !== 0) tp[r]! += w;
        else tn[r]! += 1 - w;
      }
    }
    let change = 0;
    for (let r = 0; r < raters; r++) {
      const np = fg > 0 ? tp[r]! / fg : p[r]!;
      const nq = bg > 0 ? tn[r]! / bg : q[r]!;
      change = Math.max(change, Math.abs(np - p[r]!), Math.abs(nq - q[r]!));
      p[r] = np;
      q[r] = nq;
    }
    if (change < o.tolerance) {
      converged = true;
      break;
    }
  }
  const size = 1 << raters;
  const w = new Float64Array(size);
  for (let k = 0; k < size; k++) w[k] = patternPosterior(k, p, q, f);
  return { sensitivity: p, specificity: q, prior: f, iterations, converged, patternProbability: w };
}
