import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test/shapes.ts';
import { majorityVote } from './consensus.ts';
import { decodeLabelRle, encodeLabelRle } from './label-rle.ts';
import { RleError } from './rle.ts';
import { labelRleFromBytes } from './rle-bytes.ts';
import { votePatternHistograms } from './vote-patterns.ts';

/** Random label volumes with runs, so run merging has real work to do. */
function volume(n: number, labels: number, rnd: () => number): Uint8Array {
  const v = new Uint8Array(n);
  for (let i = 0; i < n; ) {
    const len = 1 + Math.floor(rnd() * 9);
    v.fill(rnd() < 0.4 ? 0 : 1 + Math.floor(rnd() * labels), i, i + len);
    i += len;
  }
  return v;
}

describe('run-merging consensus against per-voxel loops', () => {
  const rnd = mulberry32(77);
  const n = 4000;

  it('majority vote equals the voxel-by-voxel rule for 2 to 5 raters', () => {
    for (let r = 2; r <= 5; r++) {
      const vols = Array.from({ length: r }, () => volume(n, 3, rnd));
      const got = decodeLabelRle(majorityVote(vols.map(encodeLabelRle)));
      const want = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const votes = new Map<number, number>();
        for (const v of vols) votes.set(v[i]!, (votes.get(v[i]!) ?? 0) + 1);
        const top = Math.max(...votes.values());
        const winners = [...votes].filter(([, c]) => c === top);
        want[i] = winners.length === 1 ? winners[0]![0] : 0;
      }
      expect(Buffer.from(got).equals(want)).toBe(true);
      expect(want.some((v) => v !== 0)).toBe(true);
    }
  });

  it('vote-pattern histograms equal counting patterns voxel by voxel', () => {
    const vols = Array.from({ length: 4 }, () => volume(n, 3, rnd));
    const hist = votePatternHistograms(vols.map(encodeLabelRle), [1, 2, 3]);
    [1, 2, 3].forEach((l, li) => {
      const want = new Float64Array(16);
      for (let i = 0; i < n; i++) {
        let p = 0;
        vols.forEach((v, k) => {
          if (v[i] === l) p |= 1 << k;
        });
        want[p]!++;
      }
      expect(hist[li]).toEqual(want);
    });
  });
});

describe('stored RLE bytes', () => {
  it('refuse a length beyond 32-bit run positions', () => {
    // kind 2, length 2^35 as LEB128, 0 runs
    expect(() => labelRleFromBytes(Uint8Array.of(2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0))).toThrow(/2\^32/);
  });

  it('either decode to a consistent RLE or fail with a typed error on random bytes', () => {
    const rnd = mulberry32(5);
    for (let t = 0; t < 500; t++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
      bytes[0] = 2;
      try {
        const rle = labelRleFromBytes(bytes);
        expect(rle.ends.at(-1) ?? 0).toBe(rle.length);
      } catch (e) {
        expect(e).toBeInstanceOf(RleError);
      }
    }
  });
});
