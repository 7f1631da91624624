import { cohenKappaFromTable } from './cohen-kappa.ts';
import type { LabelRle } from './label-rle.ts';
import { labelConfusion } from './label-rle.ts';
import type { OverlapCounts } from './overlap.ts';
import { countsFromConfusion, diceFromCounts, iouFromCounts } from './overlap.ts';

/** Per-label agreement of a test mask with a reference mask, from overlap counts and volume size. */
export interface ReferenceScores {
  dice: number;
  iou: number;
  /** TP / |ref|; null when the reference is empty. */
  sensitivity: number | null;
  /** TN / (N − |ref|); null when the reference covers everything. */
  specificity: number | null;
  /** TP / |test| (positive predictive value); null when the test is empty. */
  precision: number | null;
}

export function referenceScores(c: OverlapCounts, total: number): ReferenceScores {
  // c.a = test, c.b = reference.
  const tn = total - c.a - c.b + c.both;
  return {
    dice: diceFromCounts(c),
    iou: iouFromCounts(c),
    sensitivity: c.b > 0 ? c.both / c.b : null,
    specificity: total - c.b > 0 ? tn / (total - c.b) : null,
    precision: c.a > 0 ? c.both / c.a : null,
  };
}

/**
 * Cohen's kappa over voxels between two label volumes, all given labels and background as the
 * categories (voxels with other labels count as background).
 */
export function voxelKappa(conf: Float64Array, labels: readonly number[]): number | null {
  const cats = [0, ...labels];
  const idx = new Int16Array(256).fill(0);
  cats.forEach((l, i) => {
    idx[l] = i;
  });
  const table = cats.map(() => new Array<number>(cats.length).fill(0));
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      const v = conf[a * 256 + b]!;
      if (v !== 0) table[idx[a]!]![idx[b]!]! += v;
    }
  }
  return cohenKappaFromTable(table);
}

/** Every label's reference scores of `test` against `ref` in one merge of their runs. */
export function scoreAgainstReference(
  test: LabelRle,
  ref: LabelRle,
  labels: readonly number[],
): { perLabel: Map<number, ReferenceScores & { counts: OverlapCounts }>; kappa: number | null } {
  const conf = labelConfusion(test, ref);
  const perLabel = new Map<number, ReferenceScores & { counts: OverlapCounts }>();
  for (const l of labels) {
    const counts = countsFromConfusion(conf, l);
    perLabel.set(l, { ...referenceScores(counts, test.length), counts });
  }
  return { perLabel, kappa: voxelKappa(conf, labels) };
}
