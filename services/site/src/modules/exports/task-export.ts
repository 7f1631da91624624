import { randomUUID } from 'node:crypto';
import type { CodedConcept, LabelDef } from '@annex/annotation-model';
import {
  decodeFrameSync,
  imageVolumeNifti,
  labelVolumeNifti,
  parseInstance,
  type VolumeGeometry,
  writeSeg,
} from '@annex/dicom';
import { EXPORT_PROFILE } from '../deid-views/annotator-view.ts';
import { type DicomJson, firstString } from '../dicomweb/dicom-json.ts';
import { formatNotApplicable, identifiedNeedsAdmin, sourceMissing } from './errors.ts';
import { type LabelSlices, labelSlicesOf, labelVolume } from './label-slices.ts';
import type { ExportVariant } from './schemas.ts';
import { type SeriesVolume, volumeOfSeries } from './series-volume.ts';
import type { ExportContext } from './service.ts';
import { measurementReportOf } from './sr-content.ts';
import { loadTaskSource, type SourceInstance, type TaskSource } from './task-source.ts';

export const SOFTWARE_VERSION = 'annex-0.1.0';

export interface ExportFile {
  path: string;
  bytes: Uint8Array;
  contentType: string;
}

/** A UID nobody can trace back: 2.25 and a random UUID as one integer (PS3.5 B.2). */
export const newUid = () => `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString()}`;

// Without a code in the instructions, a label is named in Annex's local scheme (PS3.16 8.2: '99' prefix).
const localCode = (label: LabelDef): CodedConcept => ({
  scheme: '99ANNEX',
  value: label.id,
  meaning: label.name.slice(0, 64),
});
const LOCAL_CATEGORY: CodedConcept = {
  scheme: '99ANNEX',
  value: 'annotated-region',
  meaning: 'Annotated region',
};

/** Patient and study attributes a derived object copies from its source, as the export shows them. */
export function patientModuleOf(attributes: DicomJson): Record<string, string> {
  const out: Record<string, string> = {};
  const pn = attributes['00100010']?.Value?.[0] as { Alphabetic?: string } | string | undefined;
  const name = typeof pn === 'string' ? pn : pn?.Alphabetic;
  if (name) out.PatientName = name;
  const copy: [string, string][] = [
    ['00100020', 'PatientID'],
    ['00100030', 'PatientBirthDate'],
    ['00100040', 'PatientSex'],
    ['00080020', 'StudyDate'],
    ['00080030', 'StudyTime'],
    ['00080050', 'AccessionNumber'],
    ['00200010', 'StudyID'],
  ];
  for (const [tag, key] of copy) {
    const v = firstString(attributes, tag);
    if (v) out[key] = v;
  }
  const referring = attributes['00080090']?.Value?.[0] as { Alphabetic?: string } | undefined;
  if (referring?.Alphabetic) out.ReferringPhysicianName = referring.Alphabetic;
  return out;
}

/** The series the label set paints masks on, each as a checked volume with its labels. */
export function maskVolumes(source: TaskSource): { volume: SeriesVolume; labels: LabelSlices[] }[] {
  const painted = new Set(source.labelSet.doc.masks.flatMap((m) => m.slices.map((s) => s.image.seriesUid)));
  return source.series
    .filter((s) => painted.has(s.deidUid))
    .map((series) => {
      const volume = volumeOfSeries(series);
      return {
        volume,
        labels: labelSlicesOf(
          source.labelSet.doc,
          source.instructions.labels,
          series.deidUid,
          volume.geometry,
          volume.sliceOf,
        ),
      };
    })
    .filter((v) => v.labels.length > 0);
}

export function segOf(source: TaskSource, volume: SeriesVolume, labels: LabelSlices[], seriesNumber: number) {
  return writeSeg({
    geometry: volume.geometry,
    segments: labels.map((l, i) => ({
      number: i + 1,
      label: l.label.name.slice(0, 64),
      code: l.label.code ?? localCode(l.label),
      category: l.label.category ?? LOCAL_CATEGORY,
      algorithmType: 'MANUAL' as const,
      color: l.label.color,
      slices: l.slices,
    })),
    patient: patientModuleOf(source.study.attributes),
    seriesInstanceUid: newUid(),
    sopInstanceUid: newUid(),
    seriesNumber,
    instanceNumber: 1,
    contentLabel: 'ANNEX_LABELS',
    manufacturer: 'Annex',
    softwareVersions: SOFTWARE_VERSION,
    contentDateTime: source.labelSet.finalizedAt,
  });
}

/** The stored bytes of an instance as the export shows them (de-identified through the export profile). */
export async function shownInstanceBytes(
  ctx: ExportContext,
  source: TaskSource,
  instance: SourceInstance,
): Promise<{ chunks: Uint8Array[]; length: number }> {
  let bytes: Buffer;
  try {
    bytes = await ctx.storage.getBuffer(instance.objectKey);
  } catch {
    throw sourceMissing(source.cloudId, 'a stored image object cannot be read');
  }
  if (source.variant === 'identified') return { chunks: [bytes], length: bytes.length };
  return ctx.view
    .forProject(source.projectRef)
    .deidentifyInstance(bytes, source.study.patientKey, EXPORT_PROFILE);
}

/** The image volume in the same voxel order as the label volume: stored values and one rescale, or floats. */
export async function imageVolumeOf(ctx: ExportContext, source: TaskSource, volume: SeriesVolume) {
  const { geometry } = volume;
  const plane = geometry.rows * geometry.columns;
  const byUid = new Map(volume.series.instances.map((i) => [i.uid, i]));
  const frames: { pixels: ArrayLike<number>; slope: number; intercept: number }[] = [];
  let parsedUid: string | undefined;
  let parsed: ReturnType<typeof parseInstance> | undefined;
  for (const f of geometry.frames) {
    if (parsedUid !== f.sopInstanceUid) {
      const instance = byUid.get(f.sopInstanceUid)!;
      const { chunks } = await shownInstanceBytes(ctx, source, instance);
      parsed = parseInstance(Buffer.concat(chunks));
      parsedUid = f.sopInstanceUid;
    }
    const frame = decodeFrameSync(parsed!, f.frameNumber - 1);
    if (frame.samplesPerPixel !== 1)
      throw formatNotApplicable(
        'nifti-image',
        'only single-sample (greyscale) images make a NIfTI image volume',
      );
    frames.push({ pixels: frame.pixels, slope: frame.rescaleSlope, intercept: frame.rescaleIntercept });
  }
  const uniform = frames.every((f) => f.slope === frames[0]!.slope && f.intercept === frames[0]!.intercept);
  const fits = frames.every(
    (f) =>
      f.pixels instanceof Int16Array ||
      f.pixels instanceof Uint8Array ||
      f.pixels instanceof Int8Array ||
      (f.pixels instanceof Uint16Array && maxOf(f.pixels) <= 32767),
  );
  if (uniform && fits) {
    const voxels = new Int16Array(plane * frames.length);
    for (const [k, f] of frames.entries()) voxels.set(f.pixels as ArrayLike<number>, k * plane);
    return imageVolumeNifti(geometry, voxels, { slope: frames[0]!.slope, intercept: frames[0]!.intercept });
  }
  const voxels = new Float32Array(plane * frames.length);
  frames.forEach((f, k) => {
    for (let i = 0; i < plane; i++) voxels[k * plane + i] = f.pixels[i]! * f.slope + f.intercept;
  });
  return imageVolumeNifti(geometry, voxels);
}

function maxOf(a: Uint16Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

const seriesFile = (source: TaskSource, geometry: VolumeGeometry, suffix: string) =>
  `tasks/${source.cloudId}/${geometry.seriesInstanceUid}${suffix}`;

export interface TaskLabelFiles {
  files: ExportFile[];
  /** Mask labels written, for the manifest. */
  labels: LabelSlices[];
}

/** The label files of one task for the chosen formats (DICOM images and COCO are the bundle's business). */
export async function taskLabelFiles(
  ctx: ExportContext,
  source: TaskSource,
  formats: readonly string[],
): Promise<TaskLabelFiles> {
  const files: ExportFile[] = [];
  const wanted = new Set(formats);
  const volumes =
    wanted.has('seg') || wanted.has('nifti') || wanted.has('nifti-image') ? maskVolumes(source) : [];
  let seriesNumber = 9001;
  for (const { volume, labels } of volumes) {
    const { geometry } = volume;
    if (wanted.has('seg'))
      files.push({
        path: seriesFile(source, geometry, '.seg.dcm'),
        bytes: segOf(source, volume, labels, seriesNumber++),
        contentType: 'application/dicom',
      });
    if (wanted.has('nifti'))
      files.push({
        path: seriesFile(source, geometry, '_labels.nii.gz'),
        bytes: labelVolumeNifti(geometry, labelVolume(geometry, labels)),
        contentType: 'application/gzip',
      });
    if (wanted.has('nifti-image'))
      files.push({
        path: seriesFile(source, geometry, '_image.nii.gz'),
        bytes: await imageVolumeOf(ctx, source, volume),
        contentType: 'application/gzip',
      });
  }
  if (wanted.has('sr')) {
    const sr = measurementReportOf(source, seriesNumber++);
    if (sr)
      files.push({
        path: `tasks/${source.cloudId}/measurements.sr.dcm`,
        bytes: sr,
        contentType: 'application/dicom',
      });
  }
  return { files, labels: volumes.flatMap((v) => v.labels) };
}

/** One task's labels in one format, straight back (no job): for a reviewer's or a script's single download. */
export async function singleTaskFile(
  ctx: ExportContext,
  taskId: string,
  format: 'seg' | 'sr' | 'nifti' | 'coco',
  variant: ExportVariant,
  principal: { roles: string[] },
): Promise<{ name: string; bytes: Uint8Array; contentType: string } | undefined> {
  if (variant === 'identified' && !principal.roles.includes('site-admin')) throw identifiedNeedsAdmin();
  if (variant === 'identified' && (format === 'nifti' || format === 'coco'))
    throw formatNotApplicable(format, 'identified exports hold DICOM SEG and SR only');
  const source = await loadTaskSource(ctx, taskId, variant);
  if (format === 'coco') {
    const { cocoOfParts, cocoPartOf } = await import('./coco-export.ts');
    const { part } = await cocoPartOf(ctx, source, false);
    const bytes = new TextEncoder().encode(JSON.stringify(cocoOfParts([part]).coco));
    return { name: `${source.cloudId}_coco.json`, bytes, contentType: 'application/json' };
  }
  const { files } = await taskLabelFiles(ctx, source, [format]);
  if (files.length === 0)
    throw formatNotApplicable(
      format,
      format === 'sr'
        ? 'the final label set has no measurements or answers'
        : 'the final label set has no mask on any series',
    );
  if (files.length > 1)
    throw formatNotApplicable(
      format,
      'the task covers several series; export it as a bundle (one file per series)',
    );
  const file = files[0]!;
  return { name: file.path.split('/').pop()!, bytes: file.bytes, contentType: file.contentType };
}
