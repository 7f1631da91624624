/**
 * Synthetic abdominal label volumes for the quality benchmark: five organ-like blobs (smooth,
 * lobulated surfaces, not noise) and annotators who each draw them slightly differently
 * (shifted by ~1 mm, scaled by a few %, with their own surface wobble), as real annotators do.
 */
import type { Grid } from '@annex/quality';

export interface Organ {
  label: number;
  centerMm: [number, number, number];
  radiiMm: [number, number, number];
}

export const ORGANS: Organ[] = [
  { label: 1, centerMm: [150, 200, 150], radiiMm: [90, 70, 75] }, // liver
  { label: 2, centerMm: [275, 210, 160], radiiMm: [45, 30, 55] }, // spleen
  { label: 3, centerMm: [125, 275, 115], radiiMm: [28, 24, 50] }, // right kidney
  { label: 4, centerMm: [255, 275, 125], radiiMm: [28, 24, 50] }, // left kidney
  { label: 5, centerMm: [140, 185, 160], radiiMm: [16, 14, 15] }, // lesion inside the liver, painted last
];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 512×512×300 CT-like grid: 0.75 mm pixels, 1 mm slices with a 2 mm-spaced stretch (non-uniform z).
 * Smaller dims keep the same 384×384×330 mm field of view with coarser voxels.
 */
export function benchGrid(nx = 512, ny = 512, nz = 300): Grid {
  const dz = 300 / nz;
  const z: number[] = [];
  let pos = -400;
  for (let k = 0; k < nz; k++) {
    z.push(pos);
    pos += k >= nz * (2 / 3) && k < nz * (23 / 30) ? 2 * dz : dz;
  }
  return { dims: [nx, ny, nz], spacing: [384 / nx, 384 / ny, dz], zPositions: z };
}

interface Wobble {
  amp: number;
  dir: [number, number, number];
  freq: number;
  phase: number;
}

/**
 * Paints every organ as one annotator would. seed 0 = the "true" shape (used as gold).
 * Surface: r(u) = 1 + Σ amp·sin(freq·(u·dir) + phase) over unit direction u, smooth on the sphere.
 */
export function paintAnnotator(grid: Grid, seed: number): Uint8Array {
  const [nx, ny, nz] = grid.dims;
  const [sx, sy] = grid.spacing;
  const zp = grid.zPositions!;
  const vol = new Uint8Array(nx * ny * nz);
  const base = mulberry32(1234);
  const own = mulberry32(seed * 7919 + 1);
  for (const organ of ORGANS) {
    const wobble: Wobble[] = [];
    const makeWobble = (rnd: () => number, amp: number) => {
      const v = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5];
      const n = Math.hypot(v[0]!, v[1]!, v[2]!);
      wobble.push({ amp, dir: [v[0]! / n, v[1]! / n, v[2]! / n], freq: 2 + rnd() * 4, phase: rnd() * 6.283 });
    };
    for (let k = 0; k < 4; k++) makeWobble(base, 0.08); // anatomy: shared by everyone
    const shift = seed === 0 ? [0, 0, 0] : [own() * 2 - 1, own() * 2 - 1, own() * 2 - 1].map((v) => v * 1.5);
    const scale = seed === 0 ? 1 : 1 + (own() - 0.5) * 0.08;
    if (seed !== 0) for (let k = 0; k < 3; k++) makeWobble(own, 0.02); // this annotator's hand
    const c = organ.centerMm.map((v, i) => v + shift[i]!);
    const r = organ.radiiMm.map((v) => v * scale * 1.15); // 1.15 bounds the wobble
    const zOrigin = zp[0]!;
    const x0 = Math.max(0, Math.floor((c[0]! - r[0]!) / sx));
    const x1 = Math.min(nx - 1, Math.ceil((c[0]! + r[0]!) / sx));
    const y0 = Math.max(0, Math.floor((c[1]! - r[1]!) / sy));
    const y1 = Math.min(ny - 1, Math.ceil((c[1]! + r[1]!) / sy));
    for (let z = 0; z < nz; z++) {
      const dz = (zp[z]! - zOrigin - c[2]!) / (r[2]! / 1.15);
      if (Math.abs(dz) > 1.15) continue;
      for (let y = y0; y <= y1; y++) {
        const dy = (y * sy - c[1]!) / (r[1]! / 1.15);
        const row = nx * (y + ny * z);
        for (let x = x0; x <= x1; x++) {
          const dx = (x * sx - c[0]!) / (r[0]! / 1.15);
          const d2 = dx * dx + dy * dy + dz * dz;
          if (d2 > 1.3225) continue;
          const d = Math.sqrt(d2) || 1e-9;
          let limit = 1;
          for (const w of wobble)
            limit +=
              w.amp * Math.sin((w.freq * (dx * w.dir[0] + dy * w.dir[1] + dz * w.dir[2])) / d + w.phase);
          if (d <= limit) vol[row + x] = organ.label;
        }
      }
    }
  }
  return vol;
}
