import type { DcmjsDict, DcmjsElement } from '../synthetic/dcmjs-dict.ts';
import { el, pn, sq } from '../synthetic/dcmjs-dict.ts';

// Shared by the SEG and SR writers: value formatting to PS3.5's VR rules, and the modules every derived
// object copies from its source (patient, study) or states about itself (equipment, dates).

/** A coded concept as labelling instructions hold it. */
export interface Code {
  scheme: string;
  value: string;
  meaning: string;
}

/** A DS value in at most 16 characters, as precise as fits (dcmjs would print 0.30000000000000004). */
export function ds(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`DS cannot hold ${value}`);
  if (Object.is(value, -0)) return '0';
  for (let digits = 15; digits > 0; digits--) {
    const text = String(Number(value.toPrecision(digits)));
    if (text.length <= 16) return text;
  }
  return value.toExponential(6);
}

/** A code sequence item; values over 16 characters go in Long Code Value (PS3.3 8.8). */
export function codeItem(code: Code): DcmjsDict {
  return {
    ...(code.value.length > 16 ? { '00080119': el('UC', code.value) } : { '00080100': el('SH', code.value) }),
    '00080102': el('SH', code.scheme),
    '00080104': el('LO', code.meaning.slice(0, 64)),
  };
}
export const codeSeq = (code: Code): DcmjsElement => sq(codeItem(code));

/** DA and TM of an instant, in UTC (the exports say so in TimezoneOffsetFromUTC). */
export function dicomDateTime(at: Date | string): { date: string; time: string } {
  const iso = new Date(at).toISOString();
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/** Patient and study attributes as the source shows them (keyword → value), copied into a derived object. */
export type PatientStudy = Partial<
  Record<
    | 'PatientName'
    | 'PatientID'
    | 'PatientBirthDate'
    | 'PatientSex'
    | 'StudyDate'
    | 'StudyTime'
    | 'AccessionNumber'
    | 'StudyID'
    | 'ReferringPhysicianName',
    string
  >
>;

/** Patient and General Study modules: type 2 attributes present (empty where the source has none). */
export function patientStudyModules(patient: PatientStudy, studyInstanceUid: string): DcmjsDict {
  const text = (vr: string, v: string | undefined) => (v ? el(vr, v) : el(vr));
  const person = (v: string | undefined) => (v ? pn(v) : el('PN'));
  return {
    '00080020': text('DA', patient.StudyDate),
    '00080030': text('TM', patient.StudyTime),
    '00080050': text('SH', patient.AccessionNumber),
    '00080090': person(patient.ReferringPhysicianName),
    '00100010': person(patient.PatientName),
    '00100020': text('LO', patient.PatientID),
    '00100030': text('DA', patient.PatientBirthDate),
    '00100040': text('CS', patient.PatientSex),
    '0020000D': el('UI', studyInstanceUid),
    '00200010': text('SH', patient.StudyID),
  };
}

export interface DerivedSeries {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
  modality: string;
  manufacturer: string;
  softwareVersions: string;
  contentDateTime: Date | string;
}

/** SOP Common, series, equipment and content dates of a derived object written now by Annex. */
export function derivedObjectModules(d: DerivedSeries): DcmjsDict {
  const content = dicomDateTime(d.contentDateTime);
  const created = dicomDateTime(new Date());
  return {
    '00080005': el('CS', 'ISO_IR 192'),
    '00080012': el('DA', created.date),
    '00080013': el('TM', created.time),
    '00080016': el('UI', d.sopClassUid),
    '00080018': el('UI', d.sopInstanceUid),
    '00080021': el('DA', content.date),
    '00080023': el('DA', content.date),
    '00080031': el('TM', content.time),
    '00080033': el('TM', content.time),
    '00080060': el('CS', d.modality),
    '00080070': el('LO', d.manufacturer),
    '00081090': el('LO', 'Annex'),
    '00181000': el('LO', 'ANNEX'),
    '00181020': el('LO', d.softwareVersions),
    '00080201': el('SH', '+0000'),
    '0020000E': el('UI', d.seriesInstanceUid),
    '00200011': el('IS', String(d.seriesNumber)),
    '00200013': el('IS', String(d.instanceNumber)),
  };
}
