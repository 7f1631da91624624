/** Overlap counts of two binary masks; every overlap metric follows from these three numbers. */
export interface OverlapCounts {
  a: number;
  b: number;
  both: number;
}

/**
 * Dice = 2|A∩B| / (|A|+|B|). Two empty masks agree perfectly on absence, so Dice is 1 there
 * (a stated choice: MONAI returns NaN; a quality score needs a number for "both left it empty").
 */
export function diceFromCounts(c: OverlapCounts): number {
  const s = c.a + c.b;
  return s === 0 ? 1 : (2 * c.both) / s;
}

/** IoU (Jaccard) = |A∩B| / |A∪B|; 1 for two empty masks, like Dice. Note IoU = Dice / (2 − Dice). */
export function iouFromCounts(c: OverlapCounts): number {
  const u = c.a + c.b - c.both;
  return u === 0 ? 1 : c.both / u;
}

/** The plain byte-loop peer: what any implementation must agree with, and what the benchmark beats. */
export function byteOverlap(a: Uint8Array, b: Uint8Array, label?: number): OverlapCounts {
  if (a.length !== b.length) throw new Error('masks differ in length');
  let ca = 0;
  let cb = 0;
  let both = 0;
  if (label === undefined) {
    for (let i = 0; i < a.length; i++) {
      const x = a[i] !== 0;
      const y = b[i] !== 0;
      if (x) ca++;
      if (y) cb++;
      if (x && y) both++;
    }
  } else {
    for (let i = 0; i < a.length; i++) {
      const x = a[i] === label;
      const y = b[i] === label;
      if (x) ca++;
      if (y) cb++;
      if (x && y) both++;
    }
  }
  return { a: ca, b: cb, both };
}

/** Overlap counts of one label from a labelConfusion() matrix (256×256, row = first volume). */
export function countsFromConfusion(conf: Float64Array, label: number): OverlapCounts {
  let a = 0;
  let b = 0;
  for (let k = 0; k < 256; k++) {
    a += conf[label * 256 + k]!;
    b += conf[k * 256 + label]!;
  }
  return { a, b, both: conf[label * 256 + label]! };
}
