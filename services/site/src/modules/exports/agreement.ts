import type { Instructions } from '@annex/annotation-model';
import type { QualitySummary } from '@annex/quality';

/**
 * A task's inter-annotator agreement for a dataset manifest: per label, the mean of each metric over annotator
 * pairs (and the all-rater measures such as Fleiss' kappa as they are). Numbers only. Label numbers are the
 * quality job's (instruction order, 1-based; 0 = the whole task).
 */
export function agreementOf(
  summary: QualitySummary,
  instructions: Instructions,
): Record<string, Record<string, number>> {
  const idOf = (n: number) =>
    n === 0
      ? 'task'
      : (instructions.labels[n - 1]?.id ??
        instructions.classifications[n - 1 - instructions.labels.length]?.id ??
        `label-${n}`);
  const sums = new Map<string, { sum: number; n: number }>();
  for (const m of summary.metrics) {
    if (m.value === null || (m.comparison !== 'pair' && m.comparison !== 'all_raters')) continue;
    const key = `${idOf(m.label)}\0${m.metric}`;
    const s = sums.get(key) ?? { sum: 0, n: 0 };
    s.sum += m.value;
    s.n++;
    sums.set(key, s);
  }
  const out: Record<string, Record<string, number>> = {};
  for (const [key, { sum, n }] of sums) {
    const [label, metric] = key.split('\0') as [string, string];
    out[label] ??= {};
    out[label][metric] = Number((sum / n).toFixed(6));
  }
  return out;
}
