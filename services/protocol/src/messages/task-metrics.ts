import { z } from 'zod';
import { intIn, numberIn } from '../bounded-number.ts';
import { labelIdSchema, projectId, taskId, userId } from '../ids.ts';
import { METRIC_RANGES, metricNameSchema, metricValuesSchema } from '../metrics.ts';

/** At most this many annotators per task (the site assigns 1–5; gold and rework add a few). */
export const MAX_TASK_ANNOTATORS = 16;
/** Every unordered pair of MAX_TASK_ANNOTATORS annotators. */
export const MAX_ANNOTATOR_PAIRS = (MAX_TASK_ANNOTATORS * (MAX_TASK_ANNOTATORS - 1)) / 2;
/** A year of active work on one assignment: far above any real task, small enough to sum safely. */
export const MAX_ACTIVE_SECONDS = 31_536_000;

// One cell of a label's pairwise agreement matrix. The value is null when the metric is undefined
// for the pair (Cohen's kappa when neither annotator's answers vary, for instance).
const annotatorPairSchema = z.strictObject({
  annotatorA: userId,
  annotatorB: userId,
  value: z.number().nullable(),
});

/**
 * A label's pairwise agreement: the label's main metric (dice for masks, f1 for shapes and points,
 * cohen_kappa or percent_agreement for classifications) between every pair of its annotators.
 */
export const pairwiseAgreementSchema = z
  .strictObject({
    metric: metricNameSchema,
    pairs: z.array(annotatorPairSchema).max(MAX_ANNOTATOR_PAIRS),
  })
  .superRefine((p, ctx) => {
    const [min, max] = METRIC_RANGES[p.metric];
    const seen = new Set<string>();
    p.pairs.forEach((pair, i) => {
      if (pair.value !== null && (pair.value < min || pair.value > max)) {
        ctx.addIssue({ code: 'custom', path: ['pairs', i, 'value'], message: `outside [${min}, ${max}]` });
      }
      if (pair.annotatorA === pair.annotatorB) {
        ctx.addIssue({ code: 'custom', path: ['pairs', i], message: 'a pair needs two annotators' });
      }
      const key = [pair.annotatorA, pair.annotatorB].sort().join(' ');
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['pairs', i], message: 'pair listed twice' });
      seen.add(key);
    });
  });
export type PairwiseAgreement = z.infer<typeof pairwiseAgreementSchema>;

const labelMetricsSchema = z.strictObject({
  labelId: labelIdSchema,
  metrics: metricValuesSchema,
  /** Absent from sites that predate it, and for labels without a pairwise measure. */
  pairwise: pairwiseAgreementSchema.optional(),
});

// Work numbers of one annotator's assignment. Optional so that a site on older software, which
// sends none of them, is still understood during a rolling upgrade.
const annotatorMetricsSchema = z.strictObject({
  annotatorId: userId,
  /** Overall score in [0, 1] (e.g. mean Dice against the consensus). */
  score: numberIn(0, 1),
  metrics: metricValuesSchema,
  /** Active (not wall-clock) seconds the annotator spent on the assignment, summed over saves. */
  activeSeconds: intIn(0, MAX_ACTIVE_SECONDS).optional(),
  /** Annotation revisions (autosaves) the assignment has. */
  revisionCount: intIn(0, 1_000_000).optional(),
  /** Times the assignment was sent back for rework. */
  reworkCount: intIn(0, 10_000).optional(),
});

// site→cloud: agreement numbers for one task, per label and per annotator, computed at the site
// from annotations that never leave it.
export const taskMetricsSchema = z
  .strictObject({
    taskId,
    projectId,
    revision: intIn(1, Number.MAX_SAFE_INTEGER),
    labels: z.array(labelMetricsSchema).max(256),
    annotators: z.array(annotatorMetricsSchema).max(MAX_TASK_ANNOTATORS),
  })
  .superRefine((m, ctx) => {
    // A pair may only name annotators this message reports on.
    const known = new Set(m.annotators.map((a) => a.annotatorId));
    m.labels.forEach((l, li) => {
      l.pairwise?.pairs.forEach((p, pi) => {
        if (!known.has(p.annotatorA) || !known.has(p.annotatorB)) {
          ctx.addIssue({
            code: 'custom',
            path: ['labels', li, 'pairwise', 'pairs', pi],
            message: 'names an annotator the message does not list',
          });
        }
      });
    });
  });
export type TaskMetrics = z.infer<typeof taskMetricsSchema>;
