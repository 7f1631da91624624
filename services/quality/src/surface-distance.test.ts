import { describe, expect, it } from 'vitest';
import { mulberry32, paintBox, paintEllipsoid } from '../test/shapes.ts';
import { boxDims, rleBox, rleToBox } from './box-region.ts';
import type { Grid } from './grid.ts';
import { encodeRle } from './rle.ts';
import {
  percentile,
  percentileSorted,
  surfaceDistance,
  surfaceDistanceMatrix,
  surfaceVoxels,
} from './surface-distance.ts';
import { rleToBoxRows, surfaceFromRows } from './surface-rows.ts';

const idx = (g: Grid, x: number, y: number, z: number) => x + g.dims[0] * (y + g.dims[1] * z);

/** Brute-force symmetric surface distances on the whole grid, for checking. */
function bruteForce(g: Grid, a: Uint8Array, b: Uint8Array, coords: number[][]) {
  const sa = surfaceVoxels(a, g.dims);
  const sb = surfaceVoxels(b, g.dims);
  const pos = (i: number) => {
    const x = i % g.dims[0];
    const y = Math.floor(i / g.dims[0]) % g.dims[1];
    const z = Math.floor(i / (g.dims[0] * g.dims[1]));
    return [coords[0]![x]!, coords[1]![y]!, coords[2]![z]!];
  };
  const dir = (from: Uint32Array, to: Uint32Array) =>
    Array.from(from, (i) => {
      const p = pos(i);
      let best = Infinity;
      for (const j of to) best = Math.min(best, Math.hypot(...pos(j).map((v, k) => v - p[k]!)));
      return best;
    }).sort((x, y) => x - y);
  const ab = dir(sa, sb);
  const ba = dir(sb, sa);
  return {
    hd95Mm: Math.max(percentileSorted(ab, 95), percentileSorted(ba, 95)),
    hdMaxMm: Math.max(ab.at(-1)!, ba.at(-1)!),
    assdMm: (ab.reduce((s, v) => s + v, 0) + ba.reduce((s, v) => s + v, 0)) / (ab.length + ba.length),
  };
}

describe('surface distances (HD95, HD, ASSD)', () => {
  it('select the same percentile by quickselect as by sorting, duplicates included', () => {
    const rnd = mulberry32(5);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      for (const p of [0, 50, 95, 100]) {
        const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * 20) / 4);
        const sorted = Float64Array.from(v).sort();
        expect(percentile(v, p)).toBeCloseTo(percentileSorted(sorted, p), 12);
      }
    }
  });

  it('measure the distance between two single voxels with anisotropic spacing', () => {
    const g: Grid = { dims: [6, 3, 4], spacing: [0.5, 1, 2] };
    const a = new Uint8Array(72);
    const b = new Uint8Array(72);
    a[idx(g, 0, 0, 0)] = 1;
    b[idx(g, 3, 0, 2)] = 1;
    const d = surfaceDistance(g, a, b);
    expect(d.hd95Mm).toBeCloseTo(Math.hypot(1.5, 4), 12);
    expect(d.hdMaxMm).toBeCloseTo(Math.hypot(1.5, 4), 12);
  });

  it('use slice positions when slices are not evenly spaced', () => {
    // Two full-plane slabs on slices 0 and 3; slices sit at z = 0, 1, 3, 7 mm.
    const g: Grid = { dims: [5, 5, 4], spacing: [0.8, 0.8, 99], zPositions: [10, 11, 13, 17] };
    const a = new Uint8Array(100);
    const b = new Uint8Array(100);
    paintBox(a, [5, 5, 4], [0, 0, 0], [4, 4, 0]);
    paintBox(b, [5, 5, 4], [0, 0, 3], [4, 4, 3]);
    const d = surfaceDistance(g, a, b);
    expect(d.hd95Mm).toBeCloseTo(7, 12);
    expect(d.hdMaxMm).toBeCloseTo(7, 12);
    expect(d.assdMm).toBeCloseTo(7, 12);
  });

  it('give the corner distance for a cube inside a cube two voxels larger on each side', () => {
    const dims: [number, number, number] = [20, 20, 20];
    const g: Grid = { dims, spacing: [1.5, 1.5, 1.5] };
    const inner = new Uint8Array(8000);
    const outer = new Uint8Array(8000);
    paintBox(inner, dims, [5, 5, 5], [12, 12, 12]);
    paintBox(outer, dims, [3, 3, 3], [14, 14, 14]);
    const d = surfaceDistance(g, inner, outer);
    expect(d.hdMaxMm).toBeCloseTo(Math.sqrt(12) * 1.5, 12);
    // Most outer-surface voxels are on faces, exactly 2 voxels from the inner surface.
    expect(d.hd95Mm).toBeGreaterThanOrEqual(3 - 1e-9);
    expect(d.hd95Mm).toBeLessThanOrEqual(d.hdMaxMm!);
  });

  it('agree with brute force on ellipsoids, are symmetric, and accept RLE and byte masks alike', () => {
    const dims: [number, number, number] = [24, 22, 12];
    const g: Grid = { dims, spacing: [0.7, 0.9, 2], zPositions: [0, 2, 4, 6, 9, 12, 14, 16, 18, 21, 24, 26] };
    const a = new Uint8Array(24 * 22 * 12);
    const b = new Uint8Array(a.length);
    paintEllipsoid(a, dims, [10, 10, 5], [7, 6, 3.5]);
    paintEllipsoid(b, dims, [13, 11, 6], [6, 7, 3]);
    const coords = [
      Array.from({ length: 24 }, (_, i) => i * 0.7),
      Array.from({ length: 22 }, (_, i) => i * 0.9),
      g.zPositions as number[],
    ];
    const want = bruteForce(g, a, b, coords);
    const got = surfaceDistance(g, a, b);
    expect(got.hd95Mm).toBeCloseTo(want.hd95Mm, 9);
    expect(got.hdMaxMm).toBeCloseTo(want.hdMaxMm, 9);
    expect(got.assdMm).toBeCloseTo(want.assdMm, 9);
    expect(surfaceDistance(g, encodeRle(b), encodeRle(a))).toEqual(got);
    // A repeated mask shares its EDT: the matrix must not change.
    const m = surfaceDistanceMatrix(g, [a, b, encodeRle(a)]);
    expect(m[0]![1]).toEqual(got);
    expect(m[2]![1]).toEqual(got);
    expect(m[0]![2]).toEqual({ hd95Mm: 0, hdMaxMm: 0, assdMm: 0 });
  });

  it('are 0 for identical masks and null when a mask is empty', () => {
    const dims: [number, number, number] = [10, 10, 10];
    const g: Grid = { dims, spacing: [1, 1, 1] };
    const a = new Uint8Array(1000);
    paintEllipsoid(a, dims, [5, 5, 5], [3, 3, 3]);
    expect(surfaceDistance(g, a, a.slice())).toEqual({ hd95Mm: 0, hdMaxMm: 0, assdMm: 0 });
    expect(surfaceDistance(g, a, new Uint8Array(1000))).toEqual({
      hd95Mm: null,
      hdMaxMm: null,
      assdMm: null,
    });
    const m = surfaceDistanceMatrix(g, [a, a, new Uint8Array(1000)]);
    expect(m[0]![1]!.hd95Mm).toBe(0);
    expect(m[2]![2]!.hd95Mm).toBeNull();
  });
});

describe('surface voxels from run-length rows', () => {
  it('match the voxel-by-voxel definition on blobs, noise and masks touching the box edge', () => {
    const rnd = mulberry32(21);
    const dims: [number, number, number] = [23, 19, 11];
    const n = 23 * 19 * 11;
    const cases: Uint8Array[] = [];
    const blob = new Uint8Array(n);
    paintEllipsoid(blob, dims, [11, 9, 5], [8, 7, 4]);
    paintEllipsoid(blob, dims, [3, 3, 2], [2, 2, 2]);
    cases.push(blob);
    cases.push(Uint8Array.from({ length: n }, () => (rnd() < 0.5 ? 1 : 0)));
    cases.push(Uint8Array.from({ length: n }, () => (rnd() < 0.9 ? 1 : 0)));
    const full = new Uint8Array(n).fill(1);
    cases.push(full);
    for (const m of cases) {
      const rle = encodeRle(m);
      const box = rleBox(rle, dims);
      const expected = surfaceVoxels(rleToBox(rle, dims, box), boxDims(box));
      expect(Array.from(surfaceFromRows(rleToBoxRows(rle, dims, box), boxDims(box)))).toEqual(
        Array.from(expected),
      );
    }
  });
});
