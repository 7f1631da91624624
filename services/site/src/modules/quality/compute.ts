import type { AnnotationDoc, AttributeValue, Instructions, Mask, Shape } from '@annex/annotation-model';
import {
  categoricalQuality,
  computeMaskTaskQuality,
  decodeLabelRle,
  encodeLabelRle,
  type LabelRle,
  type MeasurementKind,
  type MetricValue,
  measurementQuality,
  numericQuality,
  type PointMm,
  type PolylineMm,
  pointQuality,
  polylineQuality,
  type QualitySummary,
  type Rating,
  type Region,
  regionQuality,
} from '@annex/quality';
import { type SeriesGrid, sliceKey } from './series-grid.ts';

/**
 * The quality of one task, computed at the site from annotations that never leave it:
 * pairwise agreement per label, a consensus (STAPLE for masks, the medoid annotator for shapes,
 * majority vote for classifications) and each annotator scored against consensus and gold.
 */
export interface TaskQualityInput {
  instructions: Instructions;
  /** Annotators' final documents, in rater order. */
  raters: AnnotationDoc[];
  gold?: AnnotationDoc;
  /** Grids of the task's series, keyed by de-identified series UID. */
  grids: Map<string, SeriesGrid>;
  /** Points closer than this (mm) are the same finding. */
  pointMatchMm?: number;
  /** Polylines and length/angle measurements closer than this (symmetric mean distance, mm) are the same finding. */
  lineMatchMm?: number;
}

export type ConsensusMethod = 'single' | 'staple' | 'majority';

export interface TaskQuality {
  summary: QualitySummary;
  consensus: AnnotationDoc;
  consensusMethod: ConsensusMethod;
  /** Per label or classification id: numbers for the cloud (protocol metric names). */
  labels: { labelId: string; metrics: Record<string, number> }[];
  /** Per rater: overall score in [0,1] and the numbers behind it. */
  annotators: { score: number; metrics: Record<string, number> }[];
}

const REGION_TOOLS = new Set(['bbox', 'polygon', 'freehand']);
const LINE_TOOLS = new Set(['polyline', 'length', 'angle']);
/** Differences (mm, degrees) at which a matched measurement stops counting as agreeing at all. */
const MEASUREMENT_TOLERANCE = { length: 5, angle: 15 } as const;

/** Quality of one line label on one image (polyline, or a length/angle measurement). */
function lineQuality(
  tool: string,
  label: number,
  raters: PolylineMm[][],
  maxDistanceMm: number,
  reference?: PolylineMm[],
): MetricValue[] {
  return tool === 'polyline'
    ? polylineQuality(label, raters, maxDistanceMm, reference)
    : measurementQuality(label, tool as MeasurementKind, raters, maxDistanceMm, reference);
}
const mean = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
};
const imageKey = (s: { image: { sopInstanceUid: string; frame: number } }) =>
  sliceKey(s.image.sopInstanceUid, s.image.frame);

function toRegion(shape: Shape): Region {
  if (shape.kind === 'bbox') {
    const [[ax, ay], [bx, by]] = [shape.points[0]!, shape.points[1] ?? shape.points[0]!];
    return {
      kind: 'box',
      box: { x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) },
    };
  }
  return { kind: 'polygon', points: shape.points.flat() };
}

// --- masks ------------------------------------------------------------------------------------

function decodeRuns(runs: number[], into: Uint8Array, offset: number, label: number) {
  let p = offset;
  for (let i = 0; i < runs.length; i++) {
    const n = runs[i]!;
    if (i % 2 === 1) into.fill(label, p, p + n);
    p += n;
  }
}

function encodeRuns(volume: Uint8Array, offset: number, size: number, label: number): number[] {
  const runs: number[] = [];
  let inside = false;
  let count = 0;
  for (let i = offset; i < offset + size; i++) {
    const on = volume[i] === label;
    if (on !== inside) {
      runs.push(count);
      count = 0;
      inside = on;
    }
    count++;
  }
  runs.push(count);
  return runs;
}

/** One rater's masks on one series as a label volume (later labels win where masks overlap). */
function maskVolume(
  masks: Mask[],
  grid: SeriesGrid,
  labelNumber: Map<string, number>,
  buffer: Uint8Array,
): LabelRle {
  buffer.fill(0);
  const sliceSize = grid.rows * grid.columns;
  const sliceIndex = new Map(grid.slices.map((k, i) => [k, i]));
  for (const mask of masks) {
    const label = labelNumber.get(mask.labelId);
    if (!label || mask.rows !== grid.rows || mask.columns !== grid.columns) continue;
    for (const slice of mask.slices) {
      if (slice.image.seriesUid !== grid.seriesUid) continue;
      const z = sliceIndex.get(imageKey(slice));
      if (z !== undefined) decodeRuns(slice.runs, buffer, z * sliceSize, label);
    }
  }
  return encodeLabelRle(buffer);
}

// --- main ---------------------------------------------------------------------------------------

export function computeTaskQuality(input: TaskQualityInput): TaskQuality {
  const { instructions, raters, gold } = input;
  const n = raters.length;
  const metrics: MetricValue[] = [];
  const labelNumber = new Map(instructions.labels.map((l, i) => [l.id, i + 1]));
  const classNumber = new Map(
    instructions.classifications.map((c, i) => [c.id, instructions.labels.length + i + 1]),
  );
  const consensus: AnnotationDoc = { shapes: [], masks: [], classifications: {} };
  const staple: { sensitivity: number[]; specificity: number[]; label: number }[] = [];
  let usedStaple = false;

  // Masks: per series that any rater painted, STAPLE consensus and overlap/distance metrics.
  const maskLabels = instructions.labels.filter((l) => l.tool === 'mask');
  for (const grid of input.grids.values()) {
    const painted = (d: AnnotationDoc) =>
      d.masks.some((m) => m.slices.some((s) => s.image.seriesUid === grid.seriesUid && s.runs.length > 1));
    if (maskLabels.length === 0 || !raters.some(painted)) continue;
    const buffer = new Uint8Array(grid.rows * grid.columns * grid.slices.length);
    const volumes = raters.map((d) => maskVolume(d.masks, grid, labelNumber, buffer));
    const goldVolume = gold ? maskVolume(gold.masks, grid, labelNumber, buffer) : undefined;
    const numbers = maskLabels.map((l) => labelNumber.get(l.id)!);
    const result = computeMaskTaskQuality({
      grid: grid.grid,
      raters: volumes,
      labels: numbers,
      ...(goldVolume ? { gold: goldVolume } : {}),
    });
    metrics.push(...result.summary.metrics);
    usedStaple = n > 1;
    for (const s of result.staple.perLabel)
      staple.push({ sensitivity: s.result.sensitivity, specificity: s.result.specificity, label: s.label });
    const agreed = n > 1 ? decodeLabelRle(result.staple.consensus) : decodeLabelRle(volumes[0]!);
    const sliceSize = grid.rows * grid.columns;
    for (const label of maskLabels) {
      const number = labelNumber.get(label.id)!;
      const slices = grid.slices.flatMap((key, z) => {
        const runs = encodeRuns(agreed, z * sliceSize, sliceSize, number);
        if (runs.length === 1) return [];
        const [sop, frame] = key.split('/');
        return [{ image: { seriesUid: grid.seriesUid, sopInstanceUid: sop!, frame: Number(frame) }, runs }];
      });
      if (slices.length)
        consensus.masks.push({
          labelId: label.id,
          rows: grid.rows,
          columns: grid.columns,
          slices,
          attributes: {},
        });
    }
  }

  // Shapes: per label and image, optimal matching and F1 at IoU 0.5 (regions) or within a distance (points).
  const pixelSpacing = (seriesUid: string) => input.grids.get(seriesUid)?.pixelSpacing ?? [1, 1];
  const shapeLabels = instructions.labels.filter((l) => REGION_TOOLS.has(l.tool) || l.tool === 'point');
  for (const label of shapeLabels) {
    const number = labelNumber.get(label.id)!;
    const ofLabel = (d: AnnotationDoc) => d.shapes.filter((s) => s.labelId === label.id);
    const images = new Set([...raters, ...(gold ? [gold] : [])].flatMap((d) => ofLabel(d).map(imageKey)));
    for (const key of images) {
      const on = (d: AnnotationDoc) => ofLabel(d).filter((s) => imageKey(s) === key);
      if (label.tool === 'point') {
        const toMm = (s: Shape): PointMm => {
          const [rowMm, colMm] = pixelSpacing(s.image.seriesUid);
          return { x: s.points[0]![0] * colMm, y: s.points[0]![1] * rowMm, z: 0 };
        };
        metrics.push(
          ...pointQuality(
            number,
            raters.map((d) => on(d).map(toMm)),
            input.pointMatchMm ?? 5,
            gold ? on(gold).map(toMm) : undefined,
          ),
        );
      } else {
        metrics.push(
          ...regionQuality(
            number,
            raters.map((d) => on(d).map(toRegion)),
            gold ? on(gold).map(toRegion) : undefined,
          ),
        );
      }
    }
  }

  // Polylines and length/angle measurements: per label and image, lines matched between raters by
  // optimal assignment on their symmetric mean distance in mm; F1 within lineMatchMm, distances of
  // matched polylines, absolute differences of matched lengths (mm) and angles (degrees).
  const lineMm = input.lineMatchMm ?? 5;
  const toLineMm = (s: Shape): PolylineMm => {
    const [rowMm, colMm] = pixelSpacing(s.image.seriesUid);
    return s.points.map(([x, y]) => ({ x: x * colMm, y: y * rowMm }));
  };
  const lineLabels = instructions.labels.filter((l) => LINE_TOOLS.has(l.tool));
  for (const label of lineLabels) {
    const number = labelNumber.get(label.id)!;
    const ofLabel = (d: AnnotationDoc) => d.shapes.filter((s) => s.labelId === label.id);
    const images = new Set([...raters, ...(gold ? [gold] : [])].flatMap((d) => ofLabel(d).map(imageKey)));
    for (const key of images) {
      const on = (d: AnnotationDoc) =>
        ofLabel(d)
          .filter((s) => imageKey(s) === key)
          .map(toLineMm);
      metrics.push(...lineQuality(label.tool, number, raters.map(on), lineMm, gold ? on(gold) : undefined));
    }
  }

  // Classifications: kappas and alpha over every target any rater answered; majority consensus.
  for (const def of instructions.classifications) {
    const number = classNumber.get(def.id)!;
    const targets = [
      ...new Set(
        [...raters, ...(gold ? [gold] : [])].flatMap((d) => Object.keys(d.classifications[def.id] ?? {})),
      ),
    ].sort();
    if (targets.length === 0) continue;
    const answerOf = (d: AnnotationDoc, t: string): AttributeValue => d.classifications[def.id]?.[t] ?? null;
    const asRating = (v: AttributeValue): Rating =>
      v === null ? null : Array.isArray(v) ? [...v].sort().join('|') : String(v);
    if (def.type === 'number') {
      const num = (v: AttributeValue) => (typeof v === 'number' ? v : null);
      metrics.push(
        ...numericQuality(
          number,
          raters.map((d) => targets.map((t) => num(answerOf(d, t)))),
          gold ? targets.map((t) => num(answerOf(gold, t))) : undefined,
        ),
      );
    } else if (def.type !== 'text') {
      metrics.push(
        ...categoricalQuality(
          number,
          raters.map((d) => targets.map((t) => asRating(answerOf(d, t)))),
          gold ? targets.map((t) => asRating(answerOf(gold, t))) : undefined,
        ),
      );
    }
    const votes: Record<string, AttributeValue> = {};
    for (const t of targets) {
      const counts = new Map<string, { n: number; value: AttributeValue }>();
      for (const d of raters) {
        const v = answerOf(d, t);
        if (v === null) continue;
        const k = JSON.stringify(v);
        counts.set(k, { n: (counts.get(k)?.n ?? 0) + 1, value: v });
      }
      const best = [...counts.values()].sort((a, b) => b.n - a.n);
      // A strict majority of the raters, else no consensus answer (ties go to QC).
      votes[t] = best[0] && best[0].n * 2 > n ? best[0].value : null;
    }
    consensus.classifications[def.id] = votes;
  }

  // Shape consensus: the medoid annotator (highest mean pairwise F1); with one rater, theirs.
  const pairF1 = (i: number) =>
    mean(
      metrics
        .filter((m) => m.metric === 'f1' && m.comparison === 'pair' && (m.raterA === i || m.raterB === i))
        .map((m) => m.value),
    ) ?? 0;
  const medoid = n === 1 ? 0 : [...Array(n).keys()].sort((a, b) => pairF1(b) - pairF1(a))[0]!;
  consensus.shapes = raters[medoid]?.shapes ?? [];

  // Each annotator against the consensus shapes (F1), STAPLE masks (Dice) and majority answers.
  const annotators = raters.map((doc, i) => {
    const shapeF1: number[] = [];
    // Line labels against the consensus shapes: F1 joins the shape F1; distances and differences by kind.
    const lineVsConsensus: MetricValue[] = [];
    for (const label of lineLabels) {
      const number = labelNumber.get(label.id)!;
      const keys = new Set(
        [...doc.shapes, ...consensus.shapes].filter((s) => s.labelId === label.id).map(imageKey),
      );
      for (const key of keys) {
        const pick = (d: Shape[]) =>
          d.filter((s) => s.labelId === label.id && imageKey(s) === key).map(toLineMm);
        const vs = lineQuality(label.tool, number, [pick(doc.shapes)], lineMm, pick(consensus.shapes));
        lineVsConsensus.push(...vs.map((m) => ({ ...m, raterA: i })));
        const f1 = vs.find((m) => m.metric === 'f1' && m.comparison === 'vs_gold')?.value;
        if (typeof f1 === 'number') shapeF1.push(f1);
      }
    }
    for (const label of shapeLabels) {
      if (label.tool === 'point') continue;
      const number = labelNumber.get(label.id)!;
      const keys = new Set(
        [...doc.shapes, ...consensus.shapes].filter((s) => s.labelId === label.id).map(imageKey),
      );
      for (const key of keys) {
        const pick = (d: Shape[]) =>
          d.filter((s) => s.labelId === label.id && imageKey(s) === key).map(toRegion);
        const vs = regionQuality(number, [pick(doc.shapes)], pick(consensus.shapes));
        const f1 = vs.find((m) => m.metric === 'f1' && m.comparison === 'vs_gold')?.value;
        if (typeof f1 === 'number') shapeF1.push(f1);
      }
    }
    const of = (metric: string, comparison: string) =>
      mean(
        metrics
          .filter((m) => m.metric === metric && m.comparison === comparison && m.raterA === i)
          .map((m) => m.value),
      );
    const diceVsConsensus = of('dice', n > 1 ? 'vs_staple' : 'vs_majority');
    const agreement = (() => {
      const answers = Object.entries(consensus.classifications).flatMap(([id, targets]) =>
        Object.entries(targets)
          .filter(([, v]) => v !== null)
          .map(([t, v]) => JSON.stringify(doc.classifications[id]?.[t] ?? null) === JSON.stringify(v)),
      );
      return answers.length ? answers.filter(Boolean).length / answers.length : undefined;
    })();
    // Line metrics against gold when there is one, else against the consensus shapes.
    const lineSource = gold ? metrics : lineVsConsensus;
    const lineOf = (metric: string, tool: string) =>
      mean(
        lineSource
          .filter(
            (m) =>
              m.metric === metric &&
              m.comparison === 'vs_gold' &&
              m.raterA === i &&
              lineLabels.some((l) => l.tool === tool && labelNumber.get(l.id) === m.label),
          )
          .map((m) => m.value),
      );
    const hausdorff = lineOf('hd_max_mm', 'polyline');
    const lengthDiff = lineOf('abs_difference', 'length');
    const angleDiff = lineOf('abs_difference', 'angle');
    // A measurement counts like a detection: 1 when it agrees, 0 from a reading disagreement on.
    const measurementScore = mean([
      lengthDiff === undefined ? undefined : 1 - Math.min(1, lengthDiff / MEASUREMENT_TOLERANCE.length),
      angleDiff === undefined ? undefined : 1 - Math.min(1, angleDiff / MEASUREMENT_TOLERANCE.angle),
    ]);
    const goldScore = gold
      ? mean([of('dice', 'vs_gold'), of('f1', 'vs_gold'), of('accuracy', 'vs_gold'), measurementScore])
      : undefined;
    const consensusScore = mean([diceVsConsensus, mean(shapeF1), agreement, measurementScore]);
    const score = Math.min(1, Math.max(0, goldScore ?? consensusScore ?? 1));
    const out: Record<string, number> = { annotator_score: score };
    const dice = gold ? of('dice', 'vs_gold') : diceVsConsensus;
    if (dice !== undefined) out.dice = dice;
    const f1 = gold ? of('f1', 'vs_gold') : mean(shapeF1);
    if (f1 !== undefined) out.f1 = f1;
    const accuracy = gold ? of('accuracy', 'vs_gold') : agreement;
    if (accuracy !== undefined) out.accuracy = accuracy;
    if (hausdorff !== undefined) out.hausdorff_mm = hausdorff;
    if (lengthDiff !== undefined) out.length_diff_mm = lengthDiff;
    if (angleDiff !== undefined) out.angle_diff_deg = Math.min(180, angleDiff);
    const sens = mean(staple.map((s) => s.sensitivity[i]));
    if (sens !== undefined) out.staple_sensitivity = sens;
    const spec = mean(staple.map((s) => s.specificity[i]));
    if (spec !== undefined) out.staple_specificity = spec;
    return { score, metrics: out };
  });

  // Per label (and classification) numbers for the cloud: means over pairs.
  const labelOut: TaskQuality['labels'] = [];
  const pairMean = (number: number, metric: string, comparison = 'pair') =>
    mean(
      metrics
        .filter((m) => m.label === number && m.metric === metric && m.comparison === comparison)
        .map((m) => m.value),
    );
  const put = (o: Record<string, number>, k: string, v: number | undefined, clamp?: [number, number]) => {
    if (v !== undefined) o[k] = clamp ? Math.min(clamp[1], Math.max(clamp[0], v)) : v;
  };
  for (const label of instructions.labels) {
    const number = labelNumber.get(label.id)!;
    const o: Record<string, number> = {};
    put(o, 'dice', pairMean(number, 'dice'));
    put(o, 'iou', pairMean(number, 'iou'));
    put(o, 'hd95_mm', pairMean(number, 'hd95_mm'));
    put(o, 'assd_mm', pairMean(number, 'assd_mm'));
    put(o, 'volume_ml', pairMean(number, 'volume_ml', 'rater'));
    put(o, 'f1', pairMean(number, 'f1'));
    put(o, 'mean_distance_mm', pairMean(number, 'mean_distance_mm'));
    if (label.tool === 'polyline') put(o, 'hausdorff_mm', pairMean(number, 'hd_max_mm'));
    if (label.tool === 'length') put(o, 'length_diff_mm', pairMean(number, 'abs_difference'));
    if (label.tool === 'angle') put(o, 'angle_diff_deg', pairMean(number, 'abs_difference'), [0, 180]);
    const s = staple.filter((x) => x.label === number);
    put(o, 'staple_sensitivity', mean(s.flatMap((x) => x.sensitivity)));
    put(o, 'staple_specificity', mean(s.flatMap((x) => x.specificity)));
    if (Object.keys(o).length) labelOut.push({ labelId: label.id, metrics: o });
  }
  for (const def of instructions.classifications) {
    const number = classNumber.get(def.id)!;
    const o: Record<string, number> = {};
    put(o, 'cohen_kappa', pairMean(number, 'kappa'), [-1, 1]);
    put(o, 'fleiss_kappa', pairMean(number, 'fleiss_kappa', 'all_raters'), [-1, 1]);
    put(
      o,
      'krippendorff_alpha',
      pairMean(number, 'alpha_nominal', 'all_raters') ?? pairMean(number, 'alpha_interval', 'all_raters'),
      [-1, 1],
    );
    if (Object.keys(o).length) labelOut.push({ labelId: def.id, metrics: o });
  }

  const labelsUsed = [...new Set(metrics.map((m) => m.label))].sort((a, b) => a - b);
  return {
    summary: { version: 1, raters: Math.max(1, n), labels: labelsUsed, metrics },
    consensus,
    consensusMethod: n === 1 ? 'single' : usedStaple ? 'staple' : 'majority',
    labels: labelOut,
    annotators,
  };
}
