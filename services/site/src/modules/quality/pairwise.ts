import type { AnnotationDoc, Instructions, LabelTool } from '@annex/annotation-model';
import type { PairwiseAgreement } from '@annex/protocol';
import type { MetricValue } from '@annex/quality';

// The pairwise agreement matrix per label for the cloud, derived from the quality summary's
// 'pair' entries (rater indices and ontology label numbers) and mapped to pseudonymous ids.
//
// Label numbers are those compute.ts gives: labels 1..L in instructions order, then the
// classifications L+1..L+C. pairwise.test.ts checks this against computeTaskQuality's own output.

// Per label tool: the summary's pair metric, the protocol name it crosses under, and its range.
const LABEL_METRIC: Partial<
  Record<LabelTool, { summary: string; protocol: PairwiseAgreement['metric']; range: [number, number] }>
> = {
  mask: { summary: 'dice', protocol: 'dice', range: [0, 1] },
  bbox: { summary: 'f1', protocol: 'f1', range: [0, 1] },
  polygon: { summary: 'f1', protocol: 'f1', range: [0, 1] },
  freehand: { summary: 'f1', protocol: 'f1', range: [0, 1] },
  point: { summary: 'f1', protocol: 'f1', range: [0, 1] },
  polyline: { summary: 'f1', protocol: 'f1', range: [0, 1] },
  // Measurements: the mean absolute difference of the pair's matched measurements.
  length: { summary: 'abs_difference', protocol: 'length_diff_mm', range: [0, 10_000] },
  angle: { summary: 'abs_difference', protocol: 'angle_diff_deg', range: [0, 180] },
};

const CATEGORICAL = new Set(['select', 'multiselect', 'boolean']);

export interface PairwiseInput {
  instructions: Pick<Instructions, 'labels' | 'classifications'>;
  /** The quality summary's metric values. */
  metrics: readonly MetricValue[];
  /** Pseudonymous id of rater i, in rater order. */
  annotatorIds: readonly string[];
  /** The raters' documents, in rater order: percent agreement for classifications comes from them. */
  docs?: readonly AnnotationDoc[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * Mean of the summary's pair values of one label and metric, per rater pair (shapes have one
 * entry per image; masks one per series). null when the metric was undefined on every entry.
 */
function pairMeans(metrics: readonly MetricValue[], label: number, metric: string, n: number) {
  const values = new Map<string, number[]>();
  const seen = new Set<string>();
  for (const m of metrics) {
    if (m.comparison !== 'pair' || m.label !== label || m.metric !== metric) continue;
    if (m.raterA === null || m.raterB === null || m.raterA === m.raterB) continue;
    if (m.raterA >= n || m.raterB >= n) continue;
    const [a, b] = m.raterA < m.raterB ? [m.raterA, m.raterB] : [m.raterB, m.raterA];
    const key = `${a}:${b}`;
    seen.add(key);
    if (m.value !== null) values.set(key, [...(values.get(key) ?? []), m.value]);
  }
  return [...seen]
    .map((key) => {
      const [a, b] = key.split(':').map(Number) as [number, number];
      return { a, b, value: mean(values.get(key) ?? []) };
    })
    .sort((x, y) => x.a - y.a || x.b - y.b);
}

/** Share of the targets either rater answered on which both gave the same answer. */
function percentAgreement(x: AnnotationDoc, y: AnnotationDoc, classificationId: string): number | null {
  const ax = x.classifications[classificationId] ?? {};
  const ay = y.classifications[classificationId] ?? {};
  const targets = new Set(
    [...Object.entries(ax), ...Object.entries(ay)].filter(([, v]) => v !== null).map(([t]) => t),
  );
  if (targets.size === 0) return null;
  const same = (v: unknown, w: unknown) =>
    JSON.stringify(Array.isArray(v) ? [...v].sort() : v) ===
    JSON.stringify(Array.isArray(w) ? [...w].sort() : w);
  let agree = 0;
  for (const t of targets) if (same(ax[t] ?? null, ay[t] ?? null)) agree++;
  return agree / targets.size;
}

const clamp = (v: number | null, min: number, max: number) =>
  v === null ? null : Math.min(max, Math.max(min, v));

/**
 * The pairwise matrix of every label that has one: dice for masks, f1 for shapes, polylines and
 * points, the mean absolute difference for length (mm) and angle (degrees) measurements and for
 * numeric classifications (their own unit), Cohen's kappa for categorical classifications, or their
 * percent agreement where a kappa is undefined for some pair (a study-level question has one
 * target: kappa says nothing there). Free-text classifications and labels with fewer than two
 * raters are left out.
 */
export function pairwiseAgreement(input: PairwiseInput): Map<string, PairwiseAgreement> {
  const n = input.annotatorIds.length;
  const out = new Map<string, PairwiseAgreement>();
  if (n < 2) return out;
  const idOf = (i: number) => input.annotatorIds[i]!;
  const { labels, classifications } = input.instructions;

  labels.forEach((label, i) => {
    const metric = LABEL_METRIC[label.tool];
    if (!metric) return;
    const pairs = pairMeans(input.metrics, i + 1, metric.summary, n);
    if (pairs.length === 0) return;
    out.set(label.id, {
      metric: metric.protocol,
      pairs: pairs.map((p) => ({
        annotatorA: idOf(p.a),
        annotatorB: idOf(p.b),
        value: clamp(p.value, ...metric.range),
      })),
    });
  });

  classifications.forEach((def, i) => {
    if (def.type === 'number') {
      const diffs = pairMeans(input.metrics, labels.length + i + 1, 'abs_difference', n);
      if (diffs.length === 0) return;
      out.set(def.id, {
        metric: 'number_diff',
        pairs: diffs.map((p) => ({
          annotatorA: idOf(p.a),
          annotatorB: idOf(p.b),
          value: clamp(p.value, 0, 1_000_000_000),
        })),
      });
      return;
    }
    if (!CATEGORICAL.has(def.type)) return;
    const kappas = pairMeans(input.metrics, labels.length + i + 1, 'kappa', n);
    if (kappas.length === 0) return;
    const docs = input.docs;
    if (kappas.some((p) => p.value === null) && docs && docs.length === n) {
      out.set(def.id, {
        metric: 'percent_agreement',
        pairs: kappas.map((p) => ({
          annotatorA: idOf(p.a),
          annotatorB: idOf(p.b),
          value: percentAgreement(docs[p.a]!, docs[p.b]!, def.id),
        })),
      });
      return;
    }
    out.set(def.id, {
      metric: 'cohen_kappa',
      pairs: kappas.map((p) => ({
        annotatorA: idOf(p.a),
        annotatorB: idOf(p.b),
        value: clamp(p.value, -1, 1),
      })),
    });
  });
  return out;
}
