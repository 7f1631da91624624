import { describe, expect, it } from 'vitest';
import { distanceTransform, gapsBetween, interpolateMasks, signedDistance } from './mask-interpolation.ts';

/** A w×h mask with the axis-aligned square [x0, x1] × [y0, y1] set. */
function square(w: number, h: number, x0: number, x1: number, y0 = x0, y1 = x1): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * w + x] = 1;
  return m;
}

function bounds(m: Uint8Array, w: number) {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  let n = 0;
  m.forEach((v, i) => {
    if (!v) return;
    n++;
    const x = i % w;
    const y = Math.floor(i / w);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  });
  return { x0, x1, y0, y1, n };
}

describe('distanceTransform', () => {
  it('is the exact Euclidean distance to the nearest target pixel', () => {
    // One target at (1, 1) on a 4×3 grid.
    const d = distanceTransform(4, 3, (i) => i === 1 * 4 + 1);
    expect(d[1 * 4 + 1]).toBe(0);
    expect(d[1 * 4 + 3]).toBe(2);
    expect(d[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(d[2 * 4 + 3]).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('says "very far" everywhere when there is no target', () => {
    const d = distanceTransform(3, 3, () => false);
    expect(Math.min(...d)).toBeGreaterThan(1e9);
  });
});

describe('signedDistance', () => {
  it('is −½ on the inner edge, +½ just outside, and grows by a pixel per pixel', () => {
    const sd = signedDistance(square(7, 1, 2, 4, 0, 0), 7, 1);
    expect([...sd]).toEqual([1.5, 0.5, -0.5, -1.5, -0.5, 0.5, 1.5]);
  });
});

describe('interpolateMasks', () => {
  it('keeps a shape that is the same on both slices', () => {
    const a = square(10, 10, 3, 6);
    const out = interpolateMasks(a, a, 10, 10, 3);
    expect(out).toHaveLength(3);
    for (const m of out) expect([...m]).toEqual([...a]);
  });

  it('grows a 2-pixel square into a 6-pixel one through 4 at the midpoint', () => {
    const a = square(10, 10, 4, 5); // side 2
    const b = square(10, 10, 2, 7); // side 6
    const [mid] = interpolateMasks(a, b, 10, 10, 1);
    expect(bounds(mid as Uint8Array, 10)).toEqual({ x0: 3, x1: 6, y0: 3, y1: 6, n: 16 });
  });

  it('moves a shape across the image half way at the midpoint', () => {
    // 5-wide strips at x 1..5 and x 5..9 (rows 0..2, away from the side edges): x 3..7 between.
    const a = square(12, 3, 1, 5, 0, 2);
    const b = square(12, 3, 5, 9, 0, 2);
    const [mid] = interpolateMasks(a, b, 12, 3, 1);
    expect(bounds(mid as Uint8Array, 12)).toEqual({ x0: 3, x1: 7, y0: 0, y1: 2, n: 15 });
  });

  it("lets shapes that do not overlap vanish half way (the method's known limit)", () => {
    const a = square(12, 3, 1, 2, 0, 2);
    const b = square(12, 3, 8, 9, 0, 2);
    const [mid] = interpolateMasks(a, b, 12, 3, 1);
    expect(bounds(mid as Uint8Array, 12).n).toBe(0);
  });

  it('orders the slices from a to b', () => {
    const small = square(11, 11, 5, 5);
    const big = square(11, 11, 1, 9);
    const sizes = interpolateMasks(small, big, 11, 11, 3).map((m) => bounds(m, 11).n);
    expect(sizes[0]).toBeLessThan(sizes[1] as number);
    expect(sizes[1]).toBeLessThan(sizes[2] as number);
    expect(sizes[2]).toBeLessThan(81);
  });

  it('refuses an empty end slice or a wrong size with a stable code', () => {
    const a = square(4, 4, 1, 2);
    expect(() => interpolateMasks(a, new Uint8Array(16), 4, 4, 1)).toThrow(
      expect.objectContaining({ code: 'INTERPOLATE_EMPTY' }),
    );
    expect(() => interpolateMasks(a, new Uint8Array(15), 4, 4, 1)).toThrow(
      expect.objectContaining({ code: 'INTERPOLATE_SIZE' }),
    );
  });

  it('interpolates a full 512×512 slice pair with 10 slices between, moving the square step by step', () => {
    const a = square(512, 512, 100, 300);
    const b = square(512, 512, 200, 400);
    const t = performance.now();
    const out = interpolateMasks(a, b, 512, 512, 10);
    // Only a bound against a pathological cost (a quadratic distance transform takes minutes here);
    // the interactive timing is the viewer benchmark's to measure, not a loaded CI machine's.
    expect(performance.now() - t).toBeLessThan(15_000);
    expect(out).toHaveLength(10);
    // Same size at both ends, shifted by 100 px: slice k of 11 steps sits k/11 of the way.
    for (const [k, slice] of out.entries()) {
      const shift = (100 * (k + 1)) / 11;
      const box = bounds(slice, 512);
      expect(Math.abs(box.x0 - (100 + shift))).toBeLessThanOrEqual(1);
      expect(Math.abs(box.x1 - (300 + shift))).toBeLessThanOrEqual(1);
    }
  });
});

describe('gapsBetween', () => {
  it('pairs consecutive drawn slices that have empty slices between them', () => {
    expect(gapsBetween([9, 2, 3, 5, 5])).toEqual([
      [3, 5],
      [5, 9],
    ]);
    expect(gapsBetween([4])).toEqual([]);
  });
});
