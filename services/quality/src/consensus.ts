import type { LabelRle } from './label-rle.ts';
import type { StapleOptions, StapleResult } from './staple.ts';
import { stapleFromHistogram } from './staple.ts';
import { forEachSegment, LabelRleBuilder, votePatternHistograms } from './vote-patterns.ts';

/**
 * Majority vote over label volumes. A voxel takes the label with strictly more votes than every
 * other label, background included; any tie for the most votes gives background (0). So with two
 * raters only agreement survives, and with three raters a 1–1–1 split is background.
 */
export function majorityVote(raters: readonly LabelRle[]): LabelRle {
  const n = raters[0]?.length ?? 0;
  const out = new LabelRleBuilder();
  const votes = new Uint16Array(256);
  forEachSegment(raters, (values, _start, end) => {
    let best = 0;
    let bestVotes = -1;
    let tie = false;
    for (let k = 0; k < values.length; k++) votes[values[k]!]!++;
    for (let k = 0; k < values.length; k++) {
      const l = values[k]!;
      const v = votes[l]!;
      if (v > bestVotes) {
        best = l;
        bestVotes = v;
        tie = false;
      } else if (v === bestVotes && l !== best) tie = true;
    }
    for (let k = 0; k < values.length; k++) votes[values[k]!] = 0;
    out.push(tie ? 0 : best, end);
  });
  return out.done(n);
}

export interface LabelStaple {
  label: number;
  result: StapleResult;
}

export interface StapleConsensus {
  perLabel: LabelStaple[];
  /** Each voxel: the label with the highest STAPLE probability if that is ≥ 0.5, else background. */
  consensus: LabelRle;
}

/**
 * Multi-label STAPLE as independent binary STAPLE per label (documented simplification of
 * Warfield's multi-category form): each label gets its own sensitivities, specificities and
 * posterior per vote pattern; where several labels pass 0.5 (rare, only for overlapping votes), the
 * most probable wins, ties to the lower label id.
 */
export function stapleConsensus(
  raters: readonly LabelRle[],
  labels: readonly number[],
  options: StapleOptions = {},
): StapleConsensus {
  const r = raters.length;
  const hist = votePatternHistograms(raters, labels);
  const perLabel = labels.map((label, i) => ({ label, result: stapleFromHistogram(hist[i]!, r, options) }));
  const out = new LabelRleBuilder();
  const n = raters[0]?.length ?? 0;
  forEachSegment(raters, (values, _start, end) => {
    let best = 0;
    let bestP = 0.5;
    for (let li = 0; li < labels.length; li++) {
      const l = labels[li]!;
      let p = 0;
      for (let k = 0; k < r; k++) if (values[k] === l) p |= 1 << k;
      const prob = perLabel[li]!.result.patternProbability[p]!;
      if (prob > bestP || (prob === bestP && best === 0 && prob >= 0.5)) {
        best = l;
        bestP = prob;
      }
    }
    out.push(best, end);
  });
  return { perLabel, consensus: out.done(n) };
}
