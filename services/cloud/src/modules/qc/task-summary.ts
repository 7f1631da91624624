import type { MetricValues } from '@annex/protocol';

/** Thresholds that raise flags (the project.settings `flagThresholds`; unset = not checked). */
export interface FlagThresholds {
  diceBelow?: number | undefined;
  kappaBelow?: number | undefined;
  hd95MmAbove?: number | undefined;
  annotatorScoreBelow?: number | undefined;
  /**
   * Cloud-only: an annotator whose active time on a task is below typical/factor or above
   * typical×factor (typical = the median over the project's tasks of that kind) flags time_outlier.
   */
  timeOutlierFactor?: number | undefined;
}

/** Used until a QC manager sets a project's thresholds, so a new project's queue is not silent. */
export const DEFAULT_THRESHOLDS: FlagThresholds = {
  diceBelow: 0.7,
  kappaBelow: 0.6,
  annotatorScoreBelow: 0.7,
  timeOutlierFactor: 3,
};

/** The typical time is only trusted once this many annotator times of the task kind are known. */
export const TIME_OUTLIER_MIN_SAMPLES = 5;

/** The project's typical active time for a kind of task: the median over its annotators' times. */
export interface TypicalTime {
  medianSeconds: number;
  samples: number;
}

/** An annotator this far below the task's median score is an outlier (needs 3+ annotators). */
export const OUTLIER_GAP = 0.2;
export const OUTLIER_MIN_ANNOTATORS = 3;

export const QC_FLAGS = ['low_agreement', 'gold_miss', 'outlier_annotator', 'time_outlier'] as const;
export type QcFlag = (typeof QC_FLAGS)[number];

export interface LabelSummary {
  labelId: string;
  dice: number | null;
  iou: number | null;
  hd95Mm: number | null;
  f1: number | null;
  kappa: number | null;
  agreement: number | null;
  metrics: MetricValues;
}

export interface TaskSummary {
  agreement: number | null;
  minDice: number | null;
  minKappa: number | null;
  maxHd95Mm: number | null;
  minAnnotatorScore: number | null;
  annotatorCount: number;
  flags: QcFlag[];
  labels: LabelSummary[];
}

export interface MetricsInput {
  isGold: boolean;
  labels: { labelId: string; metrics: MetricValues }[];
  annotators: { annotatorId: string; score: number; activeSeconds?: number | undefined }[];
}

const num = (v: number | undefined) => (typeof v === 'number' ? v : null);
const minOf = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.min(...v) : null;
};
const maxOf = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
};

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** One label's numbers; its agreement is the measure that fits its kind (mask, shape, class). */
export function summarizeLabel(labelId: string, metrics: MetricValues): LabelSummary {
  const kappa = minOf([num(metrics.cohen_kappa), num(metrics.fleiss_kappa), num(metrics.krippendorff_alpha)]);
  const dice = num(metrics.dice);
  const f1 = num(metrics.f1);
  const iou = num(metrics.iou);
  return {
    labelId,
    dice,
    iou,
    hd95Mm: num(metrics.hd95_mm),
    f1,
    kappa,
    agreement: dice ?? f1 ?? kappa ?? iou,
    metrics,
  };
}

/**
 * 'fast' or 'slow' when an active time is further than `factor` from the typical time of its task
 * kind (below median/factor, above median×factor); null when within, unknown or not checked.
 */
export function timeOutlierOf(
  seconds: number | null | undefined,
  typical: TypicalTime | undefined,
  factor: number | undefined,
): 'fast' | 'slow' | null {
  if (seconds === null || seconds === undefined || !typical || factor === undefined || factor <= 1)
    return null;
  if (typical.samples < TIME_OUTLIER_MIN_SAMPLES || typical.medianSeconds <= 0) return null;
  if (seconds < typical.medianSeconds / factor) return 'fast';
  if (seconds > typical.medianSeconds * factor) return 'slow';
  return null;
}

/**
 * The queue's view of a task's newest metrics: the worst label's numbers and the flags the
 * thresholds raise. `typical` is the project's typical active time for this kind of task.
 */
export function summarizeTask(input: MetricsInput, t: FlagThresholds, typical?: TypicalTime): TaskSummary {
  const labels = input.labels.map((l) => summarizeLabel(l.labelId, l.metrics));
  const scores = input.annotators.map((a) => a.score);
  const flags: QcFlag[] = [];
  const below = (v: number | null, limit: number | undefined) =>
    v !== null && limit !== undefined && v < limit;
  const lowAgreement = labels.some(
    (l) =>
      below(l.dice, t.diceBelow) ||
      below(l.kappa, t.kappaBelow) ||
      (l.hd95Mm !== null && t.hd95MmAbove !== undefined && l.hd95Mm > t.hd95MmAbove),
  );
  if (lowAgreement) flags.push('low_agreement');
  if (input.isGold && scores.some((s) => below(s, t.annotatorScoreBelow))) flags.push('gold_miss');
  const mid = median(scores);
  if (mid !== null && scores.length >= OUTLIER_MIN_ANNOTATORS && scores.some((s) => s < mid - OUTLIER_GAP)) {
    flags.push('outlier_annotator');
  }
  if (input.annotators.some((a) => timeOutlierOf(a.activeSeconds, typical, t.timeOutlierFactor) !== null)) {
    flags.push('time_outlier');
  }
  return {
    agreement: minOf(labels.map((l) => l.agreement)),
    minDice: minOf(labels.map((l) => l.dice)),
    minKappa: minOf(labels.map((l) => l.kappa)),
    maxHd95Mm: maxOf(labels.map((l) => l.hd95Mm)),
    minAnnotatorScore: minOf(scores),
    annotatorCount: input.annotators.length,
    flags,
    labels,
  };
}
