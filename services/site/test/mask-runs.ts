/**
 * Mask runs (the annotation model's RLE: alternating off/on counts, off first, row-major) for a
 * w×h square at (x, y) in a rows×columns frame: what a test annotator paints.
 */
export function squareRuns(
  frame: { rows: number; columns: number },
  x: number,
  y: number,
  w: number,
  h: number,
): number[] {
  const runs: number[] = [];
  let last = 0;
  for (let row = y; row < y + h; row++) {
    const start = row * frame.columns + x;
    runs.push(start - last, w);
    last = start + w;
  }
  runs.push(frame.rows * frame.columns - last);
  return runs;
}
