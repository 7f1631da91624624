import { describe, expect, it } from 'vitest';
import { mulberry32, paintEllipsoid } from '../test/shapes.ts';
import { majorityVote, stapleConsensus } from './consensus.ts';
import { decodeLabelRle, encodeLabelRle } from './label-rle.ts';
import { patternPosterior, stapleFromHistogram, stapleReference } from './staple.ts';
import { votePatternHistogramFromMasks, votePatternHistograms } from './vote-patterns.ts';

const dims: [number, number, number] = [48, 48, 32];
const truth = new Uint8Array(48 * 48 * 32);
paintEllipsoid(truth, dims, [24, 22, 16], [14, 12, 9]);
paintEllipsoid(truth, dims, [10, 38, 8], [5, 6, 4]);

/** Raters that miss each true voxel with probability 1−p and add each false one with 1−q. */
function noisyRaters(sens: number[], spec: number[], seed: number): Uint8Array[] {
  const rnd = mulberry32(seed);
  return sens.map((p, r) =>
    Uint8Array.from(truth, (t) => (t ? (rnd() < p ? 1 : 0) : rnd() < spec[r]! ? 0 : 1)),
  );
}

describe('binary STAPLE', () => {
  const sens = [0.95, 0.85, 0.7];
  const spec = [0.995, 0.98, 0.99];
  const masks = noisyRaters(sens, spec, 7);
  const truePrior = truth.reduce((s, v) => s + v, 0) / truth.length;

  it('recovers the raters’ known sensitivities and specificities', () => {
    const res = stapleFromHistogram(votePatternHistogramFromMasks(masks), 3, { prior: truePrior });
    expect(res.converged).toBe(true);
    for (let r = 0; r < 3; r++) {
      expect(Math.abs(res.sensitivity[r]! - sens[r]!)).toBeLessThan(0.02);
      expect(Math.abs(res.specificity[r]! - spec[r]!)).toBeLessThan(0.005);
    }
  });

  it('on the vote-pattern histogram equals the per-voxel reference EM within 1e-6', () => {
    for (const options of [{}, { prior: truePrior }, { initialSensitivity: 0.8, initialSpecificity: 0.9 }]) {
      const fast = stapleFromHistogram(votePatternHistogramFromMasks(masks), 3, options);
      const ref = stapleReference(masks, options);
      expect(fast.iterations).toBe(ref.iterations);
      expect(fast.prior).toBeCloseTo(ref.prior, 12);
      for (let r = 0; r < 3; r++) {
        expect(Math.abs(fast.sensitivity[r]! - ref.sensitivity[r]!)).toBeLessThan(1e-6);
        expect(Math.abs(fast.specificity[r]! - ref.specificity[r]!)).toBeLessThan(1e-6);
      }
      for (let k = 0; k < 8; k++) {
        expect(Math.abs(fast.patternProbability[k]! - ref.patternProbability[k]!)).toBeLessThan(1e-6);
      }
    }
  });

  it('builds the same histogram from label RLEs as from byte masks', () => {
    const labelled = masks.map((m) => encodeLabelRle(Uint8Array.from(m, (v) => v * 2)));
    expect(votePatternHistograms(labelled, [2])[0]).toEqual(votePatternHistogramFromMasks(masks));
  });

  it('gives the voxel-wise posterior ≥ 0.5 as consensus mask', () => {
    const rles = masks.map((m) => encodeLabelRle(m));
    const { perLabel, consensus } = stapleConsensus(rles, [1]);
    const res = perLabel[0]!.result;
    const want = truth.map((_, i) => {
      const pattern = masks[0]![i]! | (masks[1]![i]! << 1) | (masks[2]![i]! << 2);
      return patternPosterior(pattern, res.sensitivity, res.specificity, res.prior) >= 0.5 ? 1 : 0;
    });
    expect(Buffer.from(decodeLabelRle(consensus)).equals(want)).toBe(true);
    expect(want.some((v, i) => v !== truth[i])).toBe(true);
  });

  it('rates identical raters as perfect', () => {
    const same = [truth, truth, truth].map((m) => encodeLabelRle(m));
    const res = stapleConsensus(same, [1]);
    expect(res.perLabel[0]!.result.sensitivity).toEqual([1, 1, 1]);
    expect(res.perLabel[0]!.result.specificity).toEqual([1, 1, 1]);
    expect(Buffer.from(decodeLabelRle(res.consensus)).equals(truth)).toBe(true);
  });
});

describe('majority vote', () => {
  const vote = (...raters: number[][]) =>
    Array.from(
      decodeLabelRle(majorityVote(raters.map((r) => encodeLabelRle(Uint8Array.from(r))))),
    ) as number[];

  it('takes the label with the most votes per voxel', () => {
    expect(vote([1, 1, 0, 2, 2, 0], [1, 0, 0, 2, 1, 3], [1, 0, 3, 0, 1, 3])).toEqual([1, 0, 0, 2, 1, 3]);
  });

  it('gives background on any tie for the most votes', () => {
    expect(vote([1], [2], [0])).toEqual([0]);
    expect(vote([1, 1], [0, 1])).toEqual([0, 1]);
    expect(vote([1, 1], [1, 1], [2, 2], [2, 0])).toEqual([0, 1]);
  });
});
