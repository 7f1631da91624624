import {
  type Code,
  codeSeq,
  derivedObjectModules,
  ds,
  type PatientStudy,
  patientStudyModules,
} from '../derived/values.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { type DcmjsDict, el, sq } from '../synthetic/dcmjs-dict.ts';
import { writePart10 } from '../synthetic/part10-writer.ts';

export const COMPREHENSIVE_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.33';

export interface SrImageRef {
  sopClassUid: string;
  sopInstanceUid: string;
  /** 1-based; written as ReferencedFrameNumber when the image is multi-frame. */
  frameNumber: number;
  multiFrame: boolean;
}

export interface SrMeasurement {
  kind: 'length' | 'angle' | 'polyline';
  /** The label measured: its id tracks the finding, its code (if any) names it. */
  label: { id: string; name: string; code?: Code };
  /** mm for length and polyline, degrees for angle. */
  value: number;
  /** Image coordinates [column, row] in pixels, as drawn. */
  points: ReadonlyArray<readonly [number, number]>;
  image: SrImageRef;
}

export interface SrClassification {
  id: string;
  question: string;
  answer: string;
  /** What the answer is about: 'study', a series or an image the annotator saw. */
  target: string;
}

export interface MeasurementReportInput {
  measurements: readonly SrMeasurement[];
  classifications: readonly SrClassification[];
  patient: PatientStudy;
  studyInstanceUid: string;
  evidence: ReadonlyArray<{ seriesInstanceUid: string; sopClassUid: string; sopInstanceUid: string }>;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
  manufacturer: string;
  softwareVersions: string;
  contentDateTime: Date | string;
}

const DCM = (value: string, meaning: string): Code => ({ scheme: 'DCM', value, meaning });
const SCT = (value: string, meaning: string): Code => ({ scheme: 'SCT', value, meaning });
const UCUM = (value: string, meaning: string): Code => ({ scheme: 'UCUM', value, meaning });

const CONCEPT = {
  report: DCM('126000', 'Imaging Measurement Report'),
  language: DCM('121049', 'Language of Content Item and Descendants'),
  english: { scheme: 'RFC5646', value: 'en-US', meaning: 'English (United States)' },
  observerType: DCM('121005', 'Observer Type'),
  device: DCM('121007', 'Device'),
  deviceName: DCM('121013', 'Device Observer Name'),
  procedure: DCM('121058', 'Procedure reported'),
  imagingProcedure: SCT('363679005', 'Imaging procedure'),
  imageLibrary: DCM('111028', 'Image Library'),
  imageLibraryGroup: DCM('126200', 'Image Library Group'),
  measurements: DCM('126010', 'Imaging Measurements'),
  group: DCM('125007', 'Measurement Group'),
  trackingId: DCM('112039', 'Tracking Identifier'),
  finding: DCM('121071', 'Finding'),
  imageRegion: DCM('111030', 'Image Region'),
  length: SCT('410668003', 'Length'),
  angle: SCT('1483009', 'Angle'),
} as const;
const UNITS = { mm: UCUM('mm', 'millimeter'), deg: UCUM('deg', 'degree') } as const;

// Content items (PS3.3 C.17.3): relationship, value type, concept name, and the value attribute.
type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'INFERRED FROM' | 'SELECTED FROM';
const item = (
  relationship: Relationship,
  valueType: string,
  concept: Code | undefined,
  value: DcmjsDict,
) => ({
  '0040A010': el('CS', relationship),
  '0040A040': el('CS', valueType),
  ...(concept ? { '0040A043': codeSeq(concept) } : {}),
  ...value,
});
const container = (relationship: Relationship, concept: Code, children: DcmjsDict[]) =>
  item(relationship, 'CONTAINER', concept, { '0040A050': el('CS', 'SEPARATE'), '0040A730': sq(...children) });
const codeValue = (relationship: Relationship, concept: Code, value: Code) =>
  item(relationship, 'CODE', concept, { '0040A168': codeSeq(value) });
const text = (relationship: Relationship, concept: Code, value: string) =>
  item(relationship, 'TEXT', concept, { '0040A160': el('UT', value) });
const imageRef = (relationship: Relationship, image: SrImageRef) =>
  item(relationship, 'IMAGE', undefined, {
    '00081199': sq({
      '00081150': el('UI', image.sopClassUid),
      '00081155': el('UI', image.sopInstanceUid),
      ...(image.multiFrame ? { '00081160': el('IS', String(image.frameNumber)) } : {}),
    }),
  });

/** A label's finding code: its own, or Annex's local scheme (a '99' designator, PS3.16 8.2). */
const findingOf = (label: SrMeasurement['label']): Code =>
  label.code ?? { scheme: '99ANNEX', value: label.id, meaning: label.name.slice(0, 64) };

function measurementGroup(m: SrMeasurement, index: number): DcmjsDict {
  const angle = m.kind === 'angle';
  const region = item('INFERRED FROM', 'SCOORD', CONCEPT.imageRegion, {
    '00700022': { vr: 'FL', Value: m.points.flat() },
    '00700023': el('CS', 'POLYLINE'),
    '0040A730': sq(imageRef('SELECTED FROM', m.image)),
  });
  const num = item('CONTAINS', 'NUM', angle ? CONCEPT.angle : CONCEPT.length, {
    '0040A300': sq({
      '004008EA': codeSeq(angle ? UNITS.deg : UNITS.mm),
      '0040A30A': el('DS', ds(m.value)),
    }),
    '0040A730': sq(region),
  });
  return container('CONTAINS', CONCEPT.group, [
    text('HAS OBS CONTEXT', CONCEPT.trackingId, `${m.label.id} ${m.kind} ${index + 1}`.slice(0, 64)),
    codeValue('CONTAINS', CONCEPT.finding, findingOf(m.label)),
    num,
  ]);
}

function classificationGroup(c: SrClassification): DcmjsDict {
  return container('CONTAINS', CONCEPT.group, [
    text('HAS OBS CONTEXT', CONCEPT.trackingId, `${c.id} ${c.target}`.slice(0, 64)),
    text('CONTAINS', { scheme: '99ANNEX', value: c.id, meaning: c.question.slice(0, 64) }, c.answer),
  ]);
}

/**
 * A TID 1500 Imaging Measurement Report (Comprehensive SR): observation context (Annex as the device),
 * the image library of the measured images, then one measurement group per length, angle or polyline
 * (value in mm or degrees, the drawn polyline as the image region it was inferred from) and one per
 * classification answer (as text under Annex's local concept for the question).
 */
export function writeMeasurementReport(input: MeasurementReportInput): Buffer {
  const measured = new Map<string, SrImageRef>();
  for (const m of input.measurements)
    measured.set(`${m.image.sopInstanceUid}/${m.image.frameNumber}`, m.image);
  const children: DcmjsDict[] = [
    codeValue('HAS CONCEPT MOD', CONCEPT.language, CONCEPT.english),
    codeValue('HAS OBS CONTEXT', CONCEPT.observerType, CONCEPT.device),
    text('HAS OBS CONTEXT', CONCEPT.deviceName, input.manufacturer),
    codeValue('HAS CONCEPT MOD', CONCEPT.procedure, CONCEPT.imagingProcedure),
  ];
  if (measured.size > 0)
    children.push(
      container('CONTAINS', CONCEPT.imageLibrary, [
        container(
          'CONTAINS',
          CONCEPT.imageLibraryGroup,
          [...measured.values()].map((image) => imageRef('CONTAINS', image)),
        ),
      ]),
    );
  children.push(
    container('CONTAINS', CONCEPT.measurements, [
      ...input.measurements.map(measurementGroup),
      ...input.classifications.map(classificationGroup),
    ]),
  );

  const bySeries = new Map<string, DcmjsDict[]>();
  for (const e of input.evidence) {
    const list = bySeries.get(e.seriesInstanceUid) ?? [];
    list.push({ '00081150': el('UI', e.sopClassUid), '00081155': el('UI', e.sopInstanceUid) });
    bySeries.set(e.seriesInstanceUid, list);
  }
  const dataset: DcmjsDict = {
    ...patientStudyModules(input.patient, input.studyInstanceUid),
    ...derivedObjectModules({
      sopClassUid: COMPREHENSIVE_SR_STORAGE,
      sopInstanceUid: input.sopInstanceUid,
      seriesInstanceUid: input.seriesInstanceUid,
      seriesNumber: input.seriesNumber,
      instanceNumber: input.instanceNumber,
      modality: 'SR',
      manufacturer: input.manufacturer,
      softwareVersions: input.softwareVersions,
      contentDateTime: input.contentDateTime,
    }),
    ...container('HAS OBS CONTEXT', CONCEPT.report, children),
    // SR Document Series: type 2, empty (Annex works from no performed procedure step).
    '00081111': el('SQ'),
    '0040A504': sq({ '00080105': el('CS', 'DCMR'), '0040DB00': el('CS', '1500') }),
    '0040A372': el('SQ'),
    '0040A375': sq({
      '0020000D': el('UI', input.studyInstanceUid),
      '00081115': sq(
        ...[...bySeries].map(([series, sops]) => ({ '0020000E': el('UI', series), '00081199': sq(...sops) })),
      ),
    }),
    '0040A491': el('CS', 'COMPLETE'),
    '0040A493': el('CS', 'UNVERIFIED'),
  };
  // The root content item has no relationship type (PS3.3 C.17.3).
  delete dataset['0040A010'];
  return writePart10({
    dataset,
    sopClassUid: COMPREHENSIVE_SR_STORAGE,
    sopInstanceUid: input.sopInstanceUid,
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
  });
}
