import { humanDate, humanDateUs, isoDate } from './human-date.ts';
import type { SyntheticPatient } from './patient.ts';
import { type PersonName, toDicomPersonName } from './person-name.ts';
import type { SyntheticStudy } from './study.ts';

const nameParts = (name: PersonName): string[] => [
  toDicomPersonName(name),
  name.family,
  name.given,
  name.middle,
  name.prefix,
  name.suffix,
];

const dateForms = (da: string): string[] => [da, humanDate(da), humanDateUs(da), isoDate(da)];

function isStudy(source: SyntheticPatient | SyntheticStudy): source is SyntheticStudy {
  return 'studyInstanceUid' in source;
}

/**
 * Every identifying value planted in files made from these patients/studies (the "canary" list): a test that
 * finds none of them in an output has evidence that nothing identifying leaked. UIDs are included because the
 * boundary requires them to be pseudonymized too. Sex and age are left out: "M" or "064Y" would match
 * unrelated text.
 */
export function phiValuesOf(...sources: Array<SyntheticPatient | SyntheticStudy>): string[] {
  const values = new Set<string>();
  const add = (...items: string[]) => {
    for (const item of items) if (item.length > 0) values.add(item);
  };
  const addPatient = (p: SyntheticPatient) => {
    add(...nameParts(p.name), ...nameParts(p.birthName), ...nameParts(p.motherMaidenName));
    add(p.id, p.issuerOfId, ...p.otherIds, ...dateForms(p.birthDate), p.address, p.phone, p.sopInstanceUid);
  };
  for (const source of sources) {
    if (!isStudy(source)) {
      addPatient(source);
      continue;
    }
    addPatient(source.patient);
    add(...nameParts(source.referringPhysician), ...nameParts(source.performingPhysician));
    add(...nameParts(source.readingPhysician), ...nameParts(source.operator));
    add(source.studyInstanceUid, ...dateForms(source.studyDate), source.accessionNumber, source.studyId);
    add(source.requestedProcedureId, source.scheduledProcedureStepId, source.referringPhysicianPhone);
    add(source.institutionName, source.institutionAddress, source.departmentName, source.stationName);
    add(source.deviceSerialNumber, source.performedProcedureStepId, source.admissionId);
  }
  return [...values];
}
