// Masks travel as run lengths over one frame in row-major order, starting with a zero run:
// compact for the sparse labelmaps annotators paint, and trivial to decode on the server.

/** Runs of `value === segment` vs not; `[n]` for an empty frame of n pixels. */
export function encodeRuns(pixels: ArrayLike<number>, segment: number): number[] {
  const runs: number[] = [];
  let inside = false;
  let run = 0;
  for (let i = 0; i < pixels.length; i++) {
    const hit = pixels[i] === segment;
    if (hit === inside) run++;
    else {
      runs.push(run);
      inside = hit;
      run = 1;
    }
  }
  runs.push(run);
  return runs;
}

/** Writes `segment` into `out` wherever the runs say "inside"; returns the number of pixels set. */
export function decodeRuns(
  runs: readonly number[],
  segment: number,
  out: { length: number; [i: number]: number },
): number {
  let pos = 0;
  let set = 0;
  runs.forEach((n, k) => {
    if (k % 2 === 1) {
      const end = Math.min(out.length, pos + n);
      for (let i = pos; i < end; i++) out[i] = segment;
      set += end - pos;
    }
    pos += n;
  });
  return set;
}

export function isEmpty(runs: readonly number[]): boolean {
  return runs.length <= 1;
}
