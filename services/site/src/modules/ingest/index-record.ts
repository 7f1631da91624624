import { type DicomJsonDataset, type ParsedInstance, toDicomJson, transferSyntaxTraits } from '@annex/dicom';
import { type PixelIndex, pixelIndexOf } from './pixel-index.ts';

/** Patient and study modules: what QIDO-RS answers at study level (PS3.18 10.6.3.3.1) and a bit more. */
export const STUDY_LEVEL_TAGS = [
  '00080005',
  '00080020',
  '00080030',
  '00080050',
  '00080051',
  '00080090',
  '00080201',
  '00081030',
  '00081060',
  '00100010',
  '00100020',
  '00100021',
  '00100024',
  '00100030',
  '00100040',
  '00101010',
  '00101020',
  '00101030',
  '00102160',
  '00104000',
  '0020000D',
  '00200010',
  '00321032',
  '00321060',
] as const;

/** General series and equipment attributes: QIDO-RS series level (PS3.18 10.6.3.3.2) and a bit more. */
export const SERIES_LEVEL_TAGS = [
  '00080005',
  '00080021',
  '00080031',
  '00080060',
  '00080070',
  '00080080',
  '00081010',
  '0008103E',
  '00081090',
  '00180015',
  '00181030',
  '00185100',
  '0020000E',
  '00200011',
  '00200052',
  '00200060',
  '00400244',
  '00400245',
  '00400275',
] as const;

export interface IndexRecord {
  patient: {
    patientKey: string;
    patientId: string | null;
    issuer: string | null;
    patientName: string | null;
    birthDate: string | null;
    sex: string | null;
  };
  study: {
    studyInstanceUid: string;
    studyDate: string | null;
    studyTime: string | null;
    accessionNumber: string | null;
    studyId: string | null;
    studyDescription: string | null;
    referringPhysician: string | null;
    attributes: DicomJsonDataset;
  };
  series: {
    seriesInstanceUid: string;
    modality: string | null;
    seriesNumber: number | null;
    seriesDescription: string | null;
    bodyPartExamined: string | null;
    attributes: DicomJsonDataset;
  };
  instance: {
    sopInstanceUid: string;
    sopClassUid: string;
    transferSyntaxUid: string;
    instanceNumber: number | null;
    rows: number | null;
    columns: number | null;
    numberOfFrames: number;
    metadata: DicomJsonDataset;
    pixelData: PixelIndex | null;
  };
}

/** The listed attributes of a DICOM JSON dataset (those present), in the given order. */
export function pick(json: DicomJsonDataset, tags: readonly string[]): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const tag of tags) {
    const value = json[tag];
    if (value) out[tag] = value;
  }
  return out;
}

/**
 * Large binary values (and pixel data) are referenced, relative to the instance's WADO-RS URL, by
 * their chain of tags: the bulkdata route resolves them from the stored object.
 */
const bulkDataUri = (path: string[]) => `bulkdata/${path.join('/')}`;

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const int = (v: number | undefined) => (v === undefined || !Number.isInteger(v) ? null : v);

/**
 * The rows one instance contributes to the Patient→Study→Series→Instance index. The patient key is
 * issuer-qualified; a file without a Patient ID gets a key of its own study so that unrelated
 * anonymous patients are never merged.
 */
export function indexRecordOf(parsed: ParsedInstance): IndexRecord {
  const json = toDicomJson(parsed, { bulkDataUri });
  const metadata: DicomJsonDataset = {
    ...json,
    // The stored (never transcoded) syntax, for viewers choosing how to ask for frames.
    '00020010': { vr: 'UI', Value: [parsed.transferSyntaxUid] },
    '00083002': { vr: 'UI', Value: [parsed.transferSyntaxUid] },
  };
  const ranged = !transferSyntaxTraits(parsed.transferSyntaxUid)?.deflated;
  const patientKey = parsed.patientId
    ? `${parsed.issuerOfPatientId ?? ''}\\${parsed.patientId}`
    : `\\study:${parsed.studyInstanceUid}`;
  return {
    patient: {
      patientKey,
      patientId: orNull(parsed.patientId),
      issuer: orNull(parsed.issuerOfPatientId),
      patientName: orNull(parsed.patientName),
      birthDate: orNull(parsed.patientBirthDate),
      sex: orNull(parsed.patientSex),
    },
    study: {
      studyInstanceUid: parsed.studyInstanceUid,
      studyDate: orNull(parsed.studyDate),
      studyTime: orNull(parsed.studyTime),
      accessionNumber: orNull(parsed.accessionNumber),
      studyId: orNull(parsed.studyId),
      studyDescription: orNull(parsed.studyDescription),
      referringPhysician: orNull(parsed.referringPhysicianName),
      attributes: pick(json, STUDY_LEVEL_TAGS),
    },
    series: {
      seriesInstanceUid: parsed.seriesInstanceUid,
      modality: orNull(parsed.modality),
      seriesNumber: int(parsed.seriesNumber),
      seriesDescription: orNull(parsed.seriesDescription),
      bodyPartExamined: orNull(parsed.bodyPartExamined),
      attributes: pick(json, SERIES_LEVEL_TAGS),
    },
    instance: {
      sopInstanceUid: parsed.sopInstanceUid,
      sopClassUid: parsed.sopClassUid,
      transferSyntaxUid: parsed.transferSyntaxUid,
      instanceNumber: int(parsed.instanceNumber),
      rows: int(parsed.rows),
      columns: int(parsed.columns),
      numberOfFrames: parsed.numberOfFrames,
      metadata,
      pixelData: parsed.pixelData ? pixelIndexOf(parsed.pixelData, ranged) : null,
    },
  };
}
