import { bytes, code, type DcmjsDict, el, pn, sq } from './dcmjs-dict.ts';
import { humanDate, humanDateUs } from './human-date.ts';
import { toDicomPersonName, toDisplayName } from './person-name.ts';
import type { SyntheticStudy } from './study.ts';

/** Private creator of the vendor-style group that hides PHI where de-identifiers must look for it. */
export const SYNTHETIC_PRIVATE_CREATOR = 'ANNEX SYNTHETIC VENDOR 1.0';

function ageAt(birthDate: string, onDate: string): string {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  const beforeBirthday = onDate.slice(4) < birthDate.slice(4);
  return `${String(years - (beforeBirthday ? 1 : 0)).padStart(3, '0')}Y`;
}

/**
 * Patient, study, equipment and request attributes carrying fake PHI at every place real files have it:
 * top level, nested sequences (depth 2), private elements (LO, DA and UN) and free-text comments.
 */
export function phiElements(study: SyntheticStudy, modality: string): DcmjsDict {
  const p = study.patient;
  const patientPn = toDicomPersonName(p.name);
  const encoder = new TextEncoder();
  return {
    '00080020': el('DA', study.studyDate),
    '00080021': el('DA', study.studyDate),
    '00080022': el('DA', study.studyDate),
    '00080023': el('DA', study.studyDate),
    '00080012': el('DA', study.studyDate),
    '00080013': el('TM', study.studyTime),
    '00080030': el('TM', study.studyTime),
    '00080031': el('TM', study.studyTime),
    '00080032': el('TM', study.studyTime),
    '00080033': el('TM', study.studyTime),
    '00080050': el('SH', study.accessionNumber),
    '00080060': el('CS', modality),
    '00080070': el('LO', 'Annex Synthetic Imaging'),
    '00080080': el('LO', study.institutionName),
    '00080081': el('ST', study.institutionAddress),
    '00080090': pn(toDicomPersonName(study.referringPhysician)),
    '00080092': el('ST', study.institutionAddress),
    '00080094': el('SH', study.referringPhysicianPhone),
    '00080096': sq({
      '00401101': sq(code(study.requestedProcedureId.replace('RP', 'PHY'), 'L', 'Referring physician ID')),
      '00401102': el('ST', study.institutionAddress),
      '00401103': el('LO', study.referringPhysicianPhone),
      '00080080': el('LO', study.institutionName),
    }),
    '00081010': el('SH', study.stationName),
    '00081030': el('LO', study.studyDescription),
    '00081040': el('LO', study.departmentName),
    '00081050': pn(toDicomPersonName(study.performingPhysician)),
    '00081060': pn(toDicomPersonName(study.readingPhysician)),
    '00081070': pn(toDicomPersonName(study.operator)),
    '00081090': el('LO', 'SynthScan 9000'),
    '00081120': sq({
      '00081150': el('UI', '1.2.840.10008.3.1.2.1.4'),
      '00081155': el('UI', p.sopInstanceUid),
    }),
    '00100010': pn(patientPn),
    '00100020': el('LO', p.id),
    '00100021': el('LO', p.issuerOfId),
    '00100030': el('DA', p.birthDate),
    '00100032': el('TM', '061500'),
    '00100040': el('CS', p.sex),
    '00101000': el('LO', ...p.otherIds),
    '00101001': pn(toDicomPersonName(p.birthName)),
    '00101002': sq(
      ...p.otherIds.map((id) => ({
        '00100020': el('LO', id),
        '00100021': el('LO', p.issuerOfId),
        '00100022': el('CS', 'TEXT'),
      })),
    ),
    '00101005': pn(toDicomPersonName(p.birthName)),
    '00101010': el('AS', ageAt(p.birthDate, study.studyDate)),
    '00101020': el('DS', '1.72'),
    '00101030': el('DS', '71.5'),
    '00101040': el('LO', p.address),
    '00101060': pn(toDicomPersonName(p.motherMaidenName)),
    '00102154': el('SH', p.phone),
    '001021b0': el(
      'LT',
      `Patient ${toDisplayName(p.name)} reports prior surgery on ${humanDate(p.birthDate)}.`,
    ),
    '00104000': el(
      'LT',
      `Seen by ${toDisplayName(study.referringPhysician)}; DOB ${humanDateUs(p.birthDate)}.`,
    ),
    '00181000': el('LO', study.deviceSerialNumber),
    '00200010': el('SH', study.studyId),
    '00321032': pn(toDicomPersonName(study.referringPhysician)),
    '00324000': el('LT', `Follow-up for ${p.name.given} ${p.name.family}, born ${humanDate(p.birthDate)}.`),
    '00400275': sq({
      '00080050': el('SH', study.accessionNumber),
      '00401001': el('SH', study.requestedProcedureId),
      '00400009': el('SH', study.scheduledProcedureStepId),
      '00400007': el('LO', study.studyDescription),
      '00321060': el('LO', study.studyDescription),
      '0020000d': el('UI', study.studyInstanceUid),
      // Depth 2: a person name and accession inside a sequence inside a sequence.
      '00081110': sq({
        '00081150': el('UI', '1.2.840.10008.3.1.2.3.1'),
        '00081155': el('UI', `${study.studyInstanceUid}.1`),
      }),
    }),
    '00400555': sq({
      '0040a040': el('CS', 'CONTAINER'),
      '0040a043': sq(code('121110', 'DCM', 'Patient Presentation')),
      '0040a730': sq({
        '0040a040': el('CS', 'PNAME'),
        '0040a043': sq(code('121008', 'DCM', 'Person Observer Name')),
        '0040a123': pn(patientPn),
        '0040a160': el('UT', `Consent witnessed for ${p.name.family} on ${humanDate(study.studyDate)}`),
      }),
    }),
    '00380010': el('LO', study.admissionId),
    '00400244': el('DA', study.studyDate),
    '00400245': el('TM', study.studyTime),
    '00400253': el('SH', study.performedProcedureStepId),
    '00400254': el('LO', study.studyDescription),
    '00204000': el(
      'LT',
      `Image of ${p.name.given} ${p.name.family} (${p.id}), DOB ${humanDate(p.birthDate)}.`,
    ),
    '00090010': el('LO', SYNTHETIC_PRIVATE_CREATOR),
    '00091001': el('LO', `${p.name.family}^${p.name.given}`),
    '00091002': el('DA', p.birthDate),
    '00091003': bytes('UN', encoder.encode(`${patientPn}\\${p.birthDate}\\${p.id}`)),
  };
}
