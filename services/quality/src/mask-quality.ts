import type { StapleConsensus } from './consensus.ts';
import { majorityVote, stapleConsensus } from './consensus.ts';
import type { Grid } from './grid.ts';
import { assertGrid, voxelCount } from './grid.ts';
import type { LabelRle } from './label-rle.ts';
import { labelRleToBinary } from './label-rle.ts';
import { scoreAgainstReference } from './reference-scores.ts';
import { RleError } from './rle.ts';
import type { StapleOptions } from './staple.ts';
import type { Comparison, MetricValue, QualitySummary } from './summary.ts';
import { SummaryBuilder } from './summary.ts';
import type { SurfaceDistances } from './surface-distance.ts';
import { surfaceDistanceMatrix } from './surface-distance.ts';
import { labelVolumesMl, volumeDifference } from './volume.ts';

export interface MaskTaskInput {
  grid: Grid;
  /** One label volume per annotator, in the order the summary's rater indices refer to. */
  raters: readonly LabelRle[];
  /** Ontology label numbers to score (1..255). */
  labels: readonly number[];
  /** Reference annotation of a gold-standard task. */
  gold?: LabelRle;
  /** Surface distances cost most; switch off for a quick preview. Default true. */
  surfaceDistances?: boolean;
  staple?: StapleOptions;
}

export interface MaskTaskResult {
  summary: QualitySummary;
  majority: LabelRle;
  staple: StapleConsensus;
}

/**
 * The whole per-task mask computation the site's quality job runs once every assignment is in:
 * pairwise agreement, majority-vote and STAPLE consensus, and each annotator against both
 * consensuses and against gold. Inputs and consensuses stay run-length encoded throughout; only
 * surface distances decode, and only inside each label's bounding box.
 */
export function computeMaskTaskQuality(input: MaskTaskInput): MaskTaskResult {
  const { grid, raters } = input;
  assertGrid(grid);
  const labels = [...input.labels].sort((a, b) => a - b);
  for (const l of labels)
    if (!Number.isInteger(l) || l < 1 || l > 255) throw new RleError('labels must be 1..255');
  const n = voxelCount(grid);
  for (const r of [...raters, ...(input.gold ? [input.gold] : [])]) {
    if (r.length !== n) throw new RleError('annotation does not match the grid size');
  }
  if (raters.length === 0) throw new RleError('at least one annotator is needed');
  const out = new SummaryBuilder();
  const volumes = raters.map((r) => labelVolumesMl(r, grid));

  for (let i = 0; i < raters.length; i++) {
    for (const l of labels) out.add('volume_ml', 'rater', l, i, null, volumes[i]![l]!);
  }

  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) {
      const s = scoreAgainstReference(raters[i]!, raters[j]!, labels);
      out.add('kappa', 'pair', 0, i, j, s.kappa);
      for (const l of labels) {
        const m = s.perLabel.get(l)!;
        const vd = volumeDifference(volumes[i]![l]!, volumes[j]![l]!);
        out.add('dice', 'pair', l, i, j, m.dice);
        out.add('iou', 'pair', l, i, j, m.iou);
        out.add('volume_diff_ml', 'pair', l, i, j, vd.absMl);
        out.add('volume_diff_rel', 'pair', l, i, j, vd.relative);
      }
    }
  }

  const majority = majorityVote(raters);
  const staple = stapleConsensus(raters, labels, input.staple);
  for (const { label, result } of staple.perLabel) {
    out.add('staple_prior', 'staple', label, null, null, result.prior);
    result.sensitivity.forEach((v, i) => {
      out.add('staple_sensitivity', 'staple', label, i, null, v);
    });
    result.specificity.forEach((v, i) => {
      out.add('staple_specificity', 'staple', label, i, null, v);
    });
  }

  const references: MaskReference[] = [
    ['vs_majority', majority],
    ['vs_staple', staple.consensus],
  ];
  if (input.gold) references.push(['vs_gold', input.gold]);
  for (const [comparison, ref] of references) {
    const refVolumes = labelVolumesMl(ref, grid);
    for (let i = 0; i < raters.length; i++) {
      const s = scoreAgainstReference(raters[i]!, ref, labels);
      out.add('kappa', comparison, 0, i, null, s.kappa);
      for (const l of labels) {
        const m = s.perLabel.get(l)!;
        const vd = volumeDifference(volumes[i]![l]!, refVolumes[l]!);
        out.add('dice', comparison, l, i, null, m.dice);
        out.add('iou', comparison, l, i, null, m.iou);
        out.add('sensitivity', comparison, l, i, null, m.sensitivity);
        out.add('specificity', comparison, l, i, null, m.specificity);
        out.add('precision', comparison, l, i, null, m.precision);
        out.add('volume_diff_ml', comparison, l, i, null, vd.absMl);
        out.add('volume_diff_rel', comparison, l, i, null, vd.relative);
      }
    }
  }

  if (input.surfaceDistances !== false) {
    for (const l of labels) out.metrics.push(...labelSurfaceMetrics(grid, raters, references, l));
  }

  return { summary: out.build(raters.length, labels), majority, staple };
}

/** A reference annotation to score every rater against, with the comparison it stands for. */
export type MaskReference = readonly [Comparison, LabelRle];

/**
 * HD95 / HD / ASSD of one label: every rater pair and every rater against each reference.
 * This is nearly all of a task's computation time and labels are independent, so a job that has
 * spare cores can run labels in parallel (worker threads) and concatenate the results; the
 * summary does not depend on the order of its metric values.
 */
export function labelSurfaceMetrics(
  grid: Grid,
  raters: readonly LabelRle[],
  references: readonly MaskReference[],
  label: number,
): MetricValue[] {
  const out = new SummaryBuilder();
  const all = [...raters, ...references.map(([, ref]) => ref)];
  const sd = surfaceDistanceMatrix(
    grid,
    all.map((v) => labelRleToBinary(v, label)),
  );
  const put = (comparison: Comparison, a: number, b: number | null, d: SurfaceDistances) => {
    out.add('hd95_mm', comparison, label, a, b, d.hd95Mm);
    out.add('hd_max_mm', comparison, label, a, b, d.hdMaxMm);
    out.add('assd_mm', comparison, label, a, b, d.assdMm);
  };
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) put('pair', i, j, sd[i]![j]!);
    references.forEach(([comparison], k) => {
      put(comparison, i, null, sd[i]![raters.length + k]!);
    });
  }
  return out.metrics;
}
