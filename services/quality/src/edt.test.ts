import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test/shapes.ts';
import { edtQueries, squaredEdt, squaredEdtFromSources } from './edt.ts';

function bruteForce(src: Uint8Array, dims: [number, number, number], c: Float64Array[]): Float64Array {
  const [nx, ny, nz] = dims;
  const pts: number[][] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) if (src[x + nx * (y + ny * z)]) pts.push([x, y, z]);
  const out = new Float64Array(nx * ny * nz).fill(Infinity);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let best = Infinity;
        for (const [px, py, pz] of pts) {
          const d =
            (c[0]![x]! - c[0]![px!]!) ** 2 + (c[1]![y]! - c[1]![py!]!) ** 2 + (c[2]![z]! - c[2]![pz!]!) ** 2;
          if (d < best) best = d;
        }
        out[x + nx * (y + ny * z)] = best;
      }
  return out;
}

describe('exact Euclidean distance transform', () => {
  it('equals brute force with anisotropic, non-uniform coordinates on every axis', () => {
    const rnd = mulberry32(11);
    const dims: [number, number, number] = [13, 9, 7];
    const c = dims.map((n, a) => {
      const v = new Float64Array(n);
      for (let i = 1; i < n; i++) v[i] = v[i - 1]! + [0.7, 1.3, 2.5][a]! * (0.5 + rnd());
      return v;
    });
    for (const density of [0.01, 0.05, 0.3]) {
      const src = Uint8Array.from({ length: 13 * 9 * 7 }, () => (rnd() < density ? 1 : 0));
      const got = squaredEdt(src, dims, [c[0]!, c[1]!, c[2]!]);
      const want = bruteForce(src, dims, c);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 9);
    }
  });

  it('is exact on the queried voxels when asked to evaluate only those', () => {
    const rnd = mulberry32(12);
    const dims: [number, number, number] = [17, 11, 9];
    const c = [0.6, 0.9, 2.2].map((s, a) =>
      Float64Array.from({ length: dims[a]! }, (_, i) => i * s + (a === 2 && i > 4 ? 1.3 : 0)),
    );
    const n = 17 * 11 * 9;
    const src = Uint8Array.from({ length: n }, () => (rnd() < 0.02 ? 1 : 0));
    const full = squaredEdt(src, dims, [c[0]!, c[1]!, c[2]!]);
    const picked = Uint32Array.from({ length: 200 }, () => Math.floor(rnd() * n));
    const part = squaredEdt(src, dims, [c[0]!, c[1]!, c[2]!], {
      queries: edtQueries([picked, picked.slice(0, 50)], dims),
    });
    for (const i of picked) expect(part[i]).toBeCloseTo(full[i]!, 9);
  });

  it('takes a sorted source list as well as a mask, and refuses an unsorted one', () => {
    const dims: [number, number, number] = [6, 5, 4];
    const c = [
      Float64Array.of(0, 1, 2, 3, 4, 5),
      Float64Array.of(0, 2, 4, 6, 8),
      Float64Array.of(0, 3, 4, 9),
    ] as const;
    const mask = new Uint8Array(120);
    mask[7] = 1;
    mask[64] = 1;
    mask[119] = 1;
    expect(squaredEdtFromSources(Uint32Array.of(7, 64, 119), dims, c)).toEqual(squaredEdt(mask, dims, c));
    expect(() => squaredEdtFromSources(Uint32Array.of(64, 7), dims, c)).toThrow(/ascending/);
  });

  it('gives 0 on sources and Infinity everywhere when there is no source', () => {
    const dims: [number, number, number] = [4, 4, 4];
    const c = [0, 1, 2, 3];
    const coords = [c, c, c] as const;
    expect(squaredEdt(new Uint8Array(64), dims, coords).every((v) => v === Infinity)).toBe(true);
    const one = new Uint8Array(64);
    one[1 + 4 * (2 + 4 * 3)] = 1;
    const d = squaredEdt(one, dims, coords);
    expect(d[1 + 4 * (2 + 4 * 3)]).toBe(0);
    expect(d[0]).toBe(1 + 4 + 9);
  });
});
