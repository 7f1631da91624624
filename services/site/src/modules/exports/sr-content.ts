import type { Shape } from '@annex/annotation-model';
import { writeMeasurementReport } from '@annex/dicom';
import type { DicomJson } from '../dicomweb/dicom-json.ts';
import { labelsDoNotFit } from './errors.ts';
import { newUid, patientModuleOf, SOFTWARE_VERSION } from './task-export.ts';
import type { SourceInstance, TaskSource } from './task-source.ts';

const MEASURED = new Set(['length', 'angle', 'polyline']);

type Json = Record<string, { Value?: unknown[] } | undefined>;
const numbers = (ds: Json | undefined, tag: string) => (ds?.[tag]?.Value ?? []).map(Number);

/** PixelSpacing [row, column] of a frame: top level, else the shared or per-frame pixel measures. */
function pixelSpacingOf(metadata: DicomJson, frame: number): [number, number] | undefined {
  const top = numbers(metadata as Json, '00280030');
  if (top.length === 2) return [top[0]!, top[1]!];
  const groups = [
    ((metadata as Json)['52009230']?.Value?.[frame - 1] as Json | undefined) ?? undefined,
    ((metadata as Json)['52009229']?.Value?.[0] as Json | undefined) ?? undefined,
  ];
  for (const g of groups) {
    const measures = g?.['00289110']?.Value?.[0] as Json | undefined;
    const v = numbers(measures, '00280030');
    if (v.length === 2) return [v[0]!, v[1]!];
  }
  return undefined;
}

/** Length (mm) along the points, or the angle (degrees) at the middle point, in physical space. */
export function measure(shape: Shape, spacing: [number, number]): number {
  const mm = shape.points.map(([c, r]) => [c * spacing[1], r * spacing[0]] as const);
  if (shape.kind === 'angle') {
    const [a, b, c] = mm as [readonly [number, number], readonly [number, number], readonly [number, number]];
    const u = [a[0] - b[0], a[1] - b[1]];
    const v = [c[0] - b[0], c[1] - b[1]];
    const cos = (u[0]! * v[0]! + u[1]! * v[1]!) / (Math.hypot(u[0]!, u[1]!) * Math.hypot(v[0]!, v[1]!));
    return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
  }
  let length = 0;
  for (let i = 1; i < mm.length; i++)
    length += Math.hypot(mm[i]![0] - mm[i - 1]![0], mm[i]![1] - mm[i - 1]![1]);
  return length;
}

/**
 * The task's measurements (length, angle, polyline) and classification answers as a TID 1500 report, or
 * undefined when it has none. Values are computed here from the pixel spacing of the measured image.
 */
export function measurementReportOf(source: TaskSource, seriesNumber: number): Uint8Array | undefined {
  const { doc } = source.labelSet;
  const labels = new Map(source.instructions.labels.map((l) => [l.id, l]));
  const instances = new Map<string, SourceInstance>();
  for (const s of source.series) for (const i of s.instances) instances.set(i.deidUid, i);

  const measurements = doc.shapes
    .filter((s) => MEASURED.has(s.kind) && labels.has(s.labelId))
    .map((shape) => {
      const instance = instances.get(shape.image.sopInstanceUid);
      if (!instance)
        throw labelsDoNotFit(
          'a measurement is on an image the task does not have',
          shape.image.sopInstanceUid,
        );
      const spacing = pixelSpacingOf(instance.geometry, shape.image.frame);
      if (!spacing)
        throw labelsDoNotFit(
          'a measured image has no pixel spacing, so no length in mm',
          shape.image.sopInstanceUid,
        );
      const label = labels.get(shape.labelId)!;
      return {
        kind: shape.kind as 'length' | 'angle' | 'polyline',
        label: { id: label.id, name: label.name, ...(label.code ? { code: label.code } : {}) },
        value: measure(shape, spacing),
        points: shape.points,
        image: {
          sopClassUid: instance.sopClassUid,
          sopInstanceUid: instance.uid,
          frameNumber: shape.image.frame,
          multiFrame: instance.numberOfFrames > 1,
        },
      };
    });

  const definitions = new Map(source.instructions.classifications.map((c) => [c.id, c]));
  const classifications = Object.entries(doc.classifications).flatMap(([id, byTarget]) => {
    const def = definitions.get(id);
    if (!def) return [];
    return Object.entries(byTarget)
      .filter(([, v]) => v !== null)
      .map(([target, value]) => ({
        id,
        question: def.label,
        answer: Array.isArray(value) ? value.join(', ') : String(value),
        target,
      }));
  });
  if (measurements.length === 0 && classifications.length === 0) return undefined;

  const evidence = source.series.flatMap((s) =>
    s.instances.map((i) => ({ seriesInstanceUid: s.uid, sopClassUid: i.sopClassUid, sopInstanceUid: i.uid })),
  );
  return writeMeasurementReport({
    measurements,
    classifications,
    patient: patientModuleOf(source.study.attributes),
    studyInstanceUid: source.study.uid,
    evidence,
    seriesInstanceUid: newUid(),
    sopInstanceUid: newUid(),
    seriesNumber,
    instanceNumber: 1,
    manufacturer: 'Annex',
    softwareVersions: SOFTWARE_VERSION,
    contentDateTime: source.labelSet.finalizedAt,
  });
}
