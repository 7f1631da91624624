import { describe, expect, it } from 'vitest';
import { RegionGrowError, regionGrow, valueAt } from './region-grow.ts';

/** A slice from rows of characters: '#' = 100, '.' = 0, digits = that value × 10. */
function slice(rows: string[]): Int16Array {
  const out = new Int16Array(rows.length * (rows[0] as string).length);
  rows.forEach((r, y) => {
    for (let x = 0; x < r.length; x++) {
      const c = r[x] as string;
      out[y * r.length + x] = c === '#' ? 100 : c === '.' ? 0 : Number(c) * 10;
    }
  });
  return out;
}

/** The mask back as rows of '#' and '.'. */
function draw(mask: Uint8Array | undefined, w: number): string[] {
  if (!mask) return [];
  const rows: string[] = [];
  for (let y = 0; y < mask.length / w; y++) {
    rows.push([...mask.subarray(y * w, (y + 1) * w)].map((v) => (v ? '#' : '.')).join(''));
  }
  return rows;
}

describe('regionGrow in 2D', () => {
  it('takes the 4-connected region around the seed and nothing diagonal or beyond a wall', () => {
    const s = slice(['##..#', '#...#', '..#..', '.##..', '##..#']);
    const r = regionGrow({
      width: 5,
      height: 5,
      slices: [{ pixels: s }],
      seed: { x: 0, y: 0, z: 0 },
      low: 50,
      high: 150,
    });
    expect(draw(r.masks.get(0), 5)).toEqual(['##...', '#....', '.....', '.....', '.....']);
    expect(r.size).toBe(3);
    expect(r.exceeded).toBe(false);
  });

  it('follows a winding path that needs spans pushed both up and down (a U and an S)', () => {
    const rows = ['#.###', '#.#.#', '###.#', '....#', '#####'];
    const r = regionGrow({
      width: 5,
      height: 5,
      slices: [{ pixels: slice(rows) }],
      seed: { x: 0, y: 4, z: 0 },
      low: 100,
      high: 100,
    });
    expect(draw(r.masks.get(0), 5)).toEqual(rows);
    expect(r.size).toBe(17);
  });

  it('keeps to an inclusive range: a tolerance around the seed value', () => {
    // values 10..90 in a row; seed at 50 with tolerance 20 takes 30..70.
    const s = slice(['123456789']);
    const seed = { x: 4, y: 0, z: 0 };
    const v = valueAt({ pixels: s }, 9, 1, 4, 0) as number;
    expect(v).toBe(50);
    const r = regionGrow({ width: 9, height: 1, slices: [{ pixels: s }], seed, low: v - 20, high: v + 20 });
    expect(draw(r.masks.get(0), 9)).toEqual(['..#####..']);
  });

  it('compares in rescaled units (HU = stored × slope + intercept)', () => {
    // Stored 1024 + HU: the range −100..100 HU is stored 924..1124.
    const pixels = Uint16Array.from([900, 924, 1024, 1124, 1125]);
    const r = regionGrow({
      width: 5,
      height: 1,
      slices: [{ pixels, slope: 1, intercept: -1024 }],
      seed: { x: 2, y: 0, z: 0 },
      low: -100,
      high: 100,
    });
    expect(draw(r.masks.get(0), 5)).toEqual(['.###.']);
  });

  it('stays on its slice in 2D even when the next slice continues the region', () => {
    const a = slice(['##', '##']);
    const r = regionGrow({
      width: 2,
      height: 2,
      slices: [{ pixels: a }, { pixels: a }],
      seed: { x: 0, y: 0, z: 1 },
      low: 100,
      high: 100,
    });
    expect([...r.masks.keys()]).toEqual([1]);
    expect(r.size).toBe(4);
  });

  it('reports a region over the size limit instead of returning it as if complete', () => {
    const s = slice(['#####', '#####']);
    const r = regionGrow({
      width: 5,
      height: 2,
      slices: [{ pixels: s }],
      seed: { x: 2, y: 1, z: 0 },
      low: 100,
      high: 100,
      maxSize: 9,
    });
    expect(r.exceeded).toBe(true);
    const ok = regionGrow({
      width: 5,
      height: 2,
      slices: [{ pixels: s }],
      seed: { x: 2, y: 1, z: 0 },
      low: 100,
      high: 100,
      maxSize: 10,
    });
    expect(ok.exceeded).toBe(false);
    expect(ok.size).toBe(10);
  });

  it('returns an empty region when the seed itself is out of range', () => {
    const r = regionGrow({
      width: 2,
      height: 1,
      slices: [{ pixels: slice(['#.']) }],
      seed: { x: 1, y: 0, z: 0 },
      low: 50,
      high: 150,
    });
    expect(r.size).toBe(0);
  });

  it('refuses a seed off the image or on a slice that is not loaded, with a stable code', () => {
    const s = { pixels: slice(['##']) };
    for (const seed of [
      { x: 2, y: 0, z: 0 },
      { x: -1, y: 0, z: 0 },
      { x: 0, y: 0, z: 1 },
    ]) {
      expect(() =>
        regionGrow({ width: 2, height: 1, slices: [s, undefined], seed, low: 0, high: 1 }),
      ).toThrow(expect.objectContaining({ code: 'GROW_SEED_OUTSIDE' }));
    }
    expect(() =>
      regionGrow({ width: 0, height: 1, slices: [s], seed: { x: 0, y: 0, z: 0 }, low: 0, high: 1 }),
    ).toThrow(RegionGrowError);
  });
});

describe('regionGrow in 3D', () => {
  it('grows through slices that touch face to face, up and down, and stops at an unloaded slice', () => {
    const slices = [
      { pixels: slice(['#.', '..']) }, // touches slice 1 at (0,0)
      { pixels: slice(['##', '..']) },
      { pixels: slice(['..', '.#']) }, // no overlap with slice 1: not reached
      undefined,
      { pixels: slice(['##', '##']) },
    ];
    const r = regionGrow({
      width: 2,
      height: 2,
      slices,
      seed: { x: 1, y: 0, z: 1 },
      low: 100,
      high: 100,
      threeD: true,
    });
    expect(draw(r.masks.get(0), 2)).toEqual(['#.', '..']);
    expect(draw(r.masks.get(1), 2)).toEqual(['##', '..']);
    expect(r.masks.get(2)?.some((v) => v) ?? false).toBe(false);
    expect(r.masks.has(4)).toBe(false);
    expect(r.size).toBe(3);
  });

  it('fills a 64×64×64 cube with a tunnel without recursion (a stack overflow or a quadratic fill would fail here)', () => {
    const n = 64;
    const slices = Array.from({ length: n }, (_, z) => {
      const px = new Int16Array(n * n).fill(100);
      // A wall at z = 32 with one hole: everything is still one region.
      if (z === 32) {
        px.fill(0);
        px[5 * n + 7] = 100;
      }
      return { pixels: px };
    });
    const t = performance.now();
    const r = regionGrow({
      width: n,
      height: n,
      slices,
      seed: { x: 0, y: 0, z: 0 },
      low: 100,
      high: 100,
      threeD: true,
    });
    // A bound against a pathological cost only; interactive timing is the viewer benchmark's.
    expect(performance.now() - t).toBeLessThan(15_000);
    expect(r.size).toBe(n * n * (n - 1) + 1);
  });
});
