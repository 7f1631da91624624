import type { Pairwise } from './api-schemas.ts';

// The pairwise agreement of one label as a symmetric matrix of annotators, with the colour each
// cell gets on the heatmap (the number is always printed in the cell too).

/** What the site names each label's main metric, as a reader says it. */
export const METRIC_TITLES: Record<string, string> = {
  dice: 'Dice',
  f1: 'F1 (IoU ≥ 0.5)',
  cohen_kappa: "Cohen's kappa",
  percent_agreement: 'percent agreement',
  length_diff_mm: 'length difference (mm)',
  angle_diff_deg: 'angle difference (°)',
  number_diff: 'difference of the answers',
};

/**
 * Differences between measurements: 0 is full agreement, and the colour is red from this much on
 * (a reading difference a radiologist would call a disagreement).
 */
const DIFFERENCE_RED_AT: Record<string, number> = { length_diff_mm: 5, angle_diff_deg: 15 };

export interface Matrix {
  ids: string[];
  /** The pair's value; null when the metric is undefined for the pair; undefined when not reported. */
  value(a: string, b: string): number | null | undefined;
}

/** Annotators in the given order first (the task page's), then any other the pairs name. */
export function matrixOf(p: Pairwise, order: readonly string[] = []): Matrix {
  const named = new Set(p.pairs.flatMap((x) => [x.annotatorA, x.annotatorB]));
  const ids = [
    ...order.filter((id) => named.has(id)),
    ...[...named].filter((id) => !order.includes(id)).sort(),
  ];
  const cells = new Map<string, number | null>();
  for (const x of p.pairs) {
    cells.set(`${x.annotatorA} ${x.annotatorB}`, x.value);
    cells.set(`${x.annotatorB} ${x.annotatorA}`, x.value);
  }
  return { ids, value: (a, b) => cells.get(`${a} ${b}`) };
}

/** Kappas run from −1; the other metrics from 0. Both end at 1 (full agreement). */
const lowerBound = (metric: string) => (metric === 'cohen_kappa' ? -1 : 0);

/**
 * The cell's background: red (no agreement) through yellow to green (full agreement), light enough
 * that the dark number on it stays readable (WCAG AA against #1d2733).
 */
export function heatColor(metric: string, value: number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  // Answers to a numeric question have no scale the cloud knows (the unit is the site's): the
  // number is shown, uncoloured, rather than a colour that would pretend to judge it.
  if (metric === 'number_diff') return undefined;
  const redAt = DIFFERENCE_RED_AT[metric];
  const lo = lowerBound(metric);
  const t = Math.min(1, Math.max(0, redAt ? 1 - value / redAt : (value - lo) / (1 - lo)));
  return `hsl(${Math.round(t * 120)} 70% 85%)`;
}
