import type { AnnotationDoc, Instructions } from '@annex/annotation-model';
import type { QualitySummary } from '@annex/quality';
import { EXPORT_PROFILE } from '../deid-views/annotator-view.ts';
import { type DicomJson, firstString } from '../dicomweb/dicom-json.ts';
import { noFinalLabelSet, sourceMissing } from './errors.ts';
import type { ExportVariant } from './schemas.ts';
import type { ExportContext } from './service.ts';

/** One stored instance of a task's scope, named by the UIDs the export shows (de-identified or original). */
export interface SourceInstance {
  id: string;
  /** The UID the export writes: de-identified, or the original for an identified export. */
  uid: string;
  /** The UID annotators saw (what the label set refers to). */
  deidUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  numberOfFrames: number;
  rows: number;
  columns: number;
  objectKey: string;
  /**
   * What places the instance's frames in space and nothing else (size, orientation, position, spacing, at
   * the top level or in the functional groups' geometry macros), with its frame of reference as the export
   * names it. Numbers only: no text, date or original UID, so it need not go through de-identification.
   */
  geometry: DicomJson;
  /** The original metadata (burned-in checks read it; it is never written de-identified). */
  original: DicomJson;
}

export interface SourceSeries {
  id: string;
  uid: string;
  deidUid: string;
  /** The study UID as the export shows it. */
  studyUid: string;
  /** FrameOfReferenceUID as the export's images carry it (from the first instance, shown). */
  frameOfReferenceUid: string | undefined;
  modality: string | null;
  instances: SourceInstance[];
}

/** Everything an export of one task reads, loaded once. */
export interface TaskSource {
  taskId: string;
  /** The task's pseudonym (tk_…): the only name a task has in an export. */
  cloudId: string;
  projectRef: string;
  instructions: Instructions;
  instructionsVersion: number;
  variant: ExportVariant;
  labelSet: { method: string; annotator: string | null; doc: AnnotationDoc; finalizedAt: Date };
  quality?: { summary: QualitySummary; annotators: string[] };
  study: { id: string; uid: string; deidUid: string; attributes: DicomJson; patientKey: string };
  series: SourceSeries[];
}

/**
 * A task's final label set and its source images. De-identified exports see every attribute through the
 * project's annotator view (the same pseudonyms, date shift and UIDs the annotators had); identified ones
 * see the originals. Refuses a task without a final label set and one whose images are gone.
 */
export async function loadTaskSource(
  ctx: ExportContext,
  taskId: string,
  variant: ExportVariant,
): Promise<TaskSource> {
  const rows = await ctx.repository.taskSource(taskId);
  if (!rows) throw sourceMissing(taskId, 'the task no longer exists');
  const { task, study, series } = rows;
  if (!task.labelSet) throw noFinalLabelSet(taskId);
  const cloudId = task.cloudId;
  if (!study) throw sourceMissing(cloudId, 'its study was deleted');
  const instances = series.reduce((n, s) => n + s.instances.length, 0);
  if (instances === 0) throw sourceMissing(cloudId, 'its study has no stored instances');
  const version = await ctx.repository.instructions(task.projectRef, task.instructionsVersion);
  if (!version) throw sourceMissing(cloudId, 'its instructions version is gone');

  const studyAttributes = study.attributes as unknown as DicomJson;
  const patientKey = firstString(studyAttributes, '00100020') ?? '';
  const view = ctx.view.forProject(task.projectRef);
  const deid = ctx.ids.deidUid;
  const identified = variant === 'identified';
  const shownUid = (uid: string) => (identified ? uid : deid(uid));
  const shownJson = (ds: DicomJson) =>
    identified ? ds : view.deidentifyJson(ds, patientKey, EXPORT_PROFILE);

  return {
    taskId: task.id,
    cloudId,
    projectRef: task.projectRef,
    instructions: version.instructions as Instructions,
    instructionsVersion: task.instructionsVersion,
    variant,
    labelSet: {
      method: task.labelSet.method,
      annotator: task.labelSet.annotator,
      doc: task.labelSet.doc as AnnotationDoc,
      finalizedAt: task.labelSet.finalizedAt,
    },
    ...(task.quality
      ? { quality: { summary: task.quality.summary as QualitySummary, annotators: task.quality.annotators } }
      : {}),
    study: {
      id: study.id,
      uid: shownUid(study.studyInstanceUid),
      deidUid: deid(study.studyInstanceUid),
      attributes: shownJson(studyAttributes),
      patientKey,
    },
    series: series.map((s) => ({
      id: s.id,
      uid: shownUid(s.seriesInstanceUid),
      deidUid: deid(s.seriesInstanceUid),
      studyUid: shownUid(study.studyInstanceUid),
      // One instance through the de-identification: the frame of reference UID as its images show it.
      frameOfReferenceUid: s.instances[0]
        ? firstString(shownJson(s.instances[0].metadata as unknown as DicomJson), '00200052')
        : undefined,
      modality: s.modality,
      instances: s.instances.map((i) => ({
        id: i.id,
        uid: shownUid(i.sopInstanceUid),
        deidUid: deid(i.sopInstanceUid),
        sopClassUid: i.sopClassUid,
        transferSyntaxUid: i.transferSyntaxUid,
        numberOfFrames: i.numberOfFrames,
        rows: i.rows ?? 0,
        columns: i.columns ?? 0,
        objectKey: i.objectKey,
        geometry: geometryOf(i.metadata as unknown as DicomJson, shownUid),
        original: i.metadata as unknown as DicomJson,
      })),
    })),
  };
}

// The attributes that place frames in space (PS3.3 C.7.6.2, C.7.6.3 and the functional group macros C.7.6.16).
const GEOMETRY_TAGS = [
  '00280010',
  '00280011',
  '00280008',
  '00200037',
  '00200032',
  '00280030',
  '00180050',
  '00180088',
];
const GEOMETRY_MACROS = ['00209116', '00209113', '00289110'];

const pick = (ds: DicomJson | undefined, tags: readonly string[]): DicomJson => {
  const out: DicomJson = {};
  for (const t of tags) if (ds?.[t]) out[t] = ds[t];
  return out;
};

/** An instance's geometry (see SourceInstance.geometry), its frame of reference UID through `shownUid`. */
function geometryOf(original: DicomJson, shownUid: (uid: string) => string): DicomJson {
  const out = pick(original, GEOMETRY_TAGS);
  const frameOfReference = firstString(original, '00200052');
  if (frameOfReference) out['00200052'] = { vr: 'UI', Value: [shownUid(frameOfReference)] };
  for (const group of ['52009229', '52009230']) {
    const items = original[group]?.Value as DicomJson[] | undefined;
    if (items) out[group] = { vr: 'SQ', Value: items.map((item) => pick(item, GEOMETRY_MACROS)) };
  }
  return out;
}
