import type { DicomJson } from './dicom-json.ts';
import { T, type TagHex, vrOf } from './dictionary.ts';
import type { QidoLevel, QidoQuery } from './qido-query.ts';

/** Required return attributes per level (PS3.18 Table 10.6.3-3/4/5), plus what viewers' study lists show. */
const REQUIRED: Record<QidoLevel, TagHex[]> = {
  study: [
    T.SpecificCharacterSet,
    T.StudyDate,
    T.StudyTime,
    T.AccessionNumber,
    T.InstanceAvailability,
    T.ModalitiesInStudy,
    T.ReferringPhysicianName,
    T.TimezoneOffsetFromUTC,
    T.RetrieveURL,
    T.PatientName,
    T.PatientID,
    T.PatientBirthDate,
    T.PatientSex,
    T.StudyInstanceUID,
    T.StudyID,
    T.NumberOfStudyRelatedSeries,
    T.NumberOfStudyRelatedInstances,
    T.StudyDescription,
  ],
  series: [
    T.SpecificCharacterSet,
    T.Modality,
    T.TimezoneOffsetFromUTC,
    T.SeriesDescription,
    T.RetrieveURL,
    T.SeriesInstanceUID,
    T.SeriesNumber,
    T.NumberOfSeriesRelatedInstances,
    T.PerformedProcedureStepStartDate,
    T.PerformedProcedureStepStartTime,
    T.RequestAttributesSequence,
    T.StudyInstanceUID,
  ],
  instance: [
    T.SpecificCharacterSet,
    T.SOPClassUID,
    T.SOPInstanceUID,
    T.InstanceAvailability,
    T.TimezoneOffsetFromUTC,
    T.RetrieveURL,
    T.InstanceNumber,
    T.Rows,
    T.Columns,
    T.BitsAllocated,
    T.NumberOfFrames,
    T.StudyInstanceUID,
    T.SeriesInstanceUID,
  ],
};
/** Tags that may be absent from a response when the object has no value (they are not type 2 anywhere). */
const OPTIONAL = new Set<TagHex>([T.TimezoneOffsetFromUTC, T.RequestAttributesSequence, T.NumberOfFrames]);

/**
 * One QIDO result: `merged` holds every attribute the index has for the row (levels above first, so the
 * row's own level wins); `computed` the attributes the server derives (counts, URLs, availability).
 */
export function qidoResult(query: QidoQuery, merged: DicomJson, computed: DicomJson): DicomJson {
  const all: DicomJson = { ...merged, ...computed };
  const tags = query.includeAll
    ? Object.keys(all)
    : [...REQUIRED[query.level], ...query.includeFields, ...query.filters.map((f) => f.tag)];
  const out: DicomJson = {};
  for (const tag of [...new Set(tags)].sort()) {
    const element = all[tag];
    if (element) out[tag] = element;
    else if (!OPTIONAL.has(tag) && REQUIRED[query.level].includes(tag)) out[tag] = { vr: vrOf(tag) ?? 'UN' };
  }
  return out;
}

export const uiElement = (uid: string) => ({ vr: 'UI', Value: [uid] });
export const isElement = (n: number) => ({ vr: 'IS', Value: [n] });
export const urElement = (url: string) => ({ vr: 'UR', Value: [url] });
export const csElement = (...values: string[]) =>
  values.length ? { vr: 'CS', Value: values } : { vr: 'CS' };
