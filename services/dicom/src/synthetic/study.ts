import { formatDa } from './human-date.ts';
import { makePatient, makePersonName, type SyntheticPatient } from './patient.ts';
import type { PersonName } from './person-name.ts';
import { seededRandom } from './random.ts';
import { syntheticUid } from './uid.ts';

/** A fake imaging request and its study-level PHI (who referred, where, when). */
export interface SyntheticStudy {
  seed: string;
  patient: SyntheticPatient;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  studyId: string;
  requestedProcedureId: string;
  scheduledProcedureStepId: string;
  performedProcedureStepId: string;
  admissionId: string;
  referringPhysician: PersonName;
  performingPhysician: PersonName;
  readingPhysician: PersonName;
  operator: PersonName;
  referringPhysicianPhone: string;
  institutionName: string;
  institutionAddress: string;
  departmentName: string;
  stationName: string;
  deviceSerialNumber: string;
  studyDescription: string;
}

const INSTITUTIONS = [
  ['Saint Brigid of Wyvernton Hospital', '4 Infirmary Close, Upper Wyvernton 40112'],
  ['Kestrelmoor General Infirmary', '220 Harbour Road, Kestrelmoor 73310'],
  ['Ashcombe Regis Memorial Clinic', '17 Abbey Yard, Ashcombe Regis 11872'],
] as const;

export function makeStudy(seed: string | number = 1, patient?: SyntheticPatient): SyntheticStudy {
  const key = `study:${seed}`;
  const rng = seededRandom(key);
  const [institutionName, institutionAddress] = rng.pick(INSTITUTIONS);
  return {
    seed: String(seed),
    patient: patient ?? makePatient(seed),
    studyInstanceUid: syntheticUid(key, 'study'),
    studyDate: formatDa(rng.int(2019, 2025), rng.int(1, 12), rng.int(1, 28)),
    studyTime: `${String(rng.int(7, 19)).padStart(2, '0')}${String(rng.int(0, 59)).padStart(2, '0')}${String(rng.int(0, 59)).padStart(2, '0')}.${rng.digits(3)}`,
    accessionNumber: `ACC${rng.digits(9)}`,
    studyId: `ST${rng.digits(6)}`,
    requestedProcedureId: `RP${rng.digits(7)}`,
    scheduledProcedureStepId: `SPS${rng.digits(7)}`,
    performedProcedureStepId: `PPS${rng.digits(7)}`,
    admissionId: `ADM${rng.digits(8)}`,
    referringPhysician: makePersonName(rng),
    performingPhysician: makePersonName(rng),
    readingPhysician: makePersonName(rng),
    operator: makePersonName(rng),
    referringPhysicianPhone: `+1-555-${rng.digits(3)}-${rng.digits(4)}`,
    institutionName,
    institutionAddress,
    departmentName: `Radiology Wing ${rng.pick(['Aldergate', 'Birchmoor', 'Copperfield'])}`,
    stationName: `RADST${rng.digits(4)}`,
    deviceSerialNumber: `SN-${rng.digits(8)}`,
    studyDescription: rng.pick([
      'ONCOLOGY STAGING',
      'FOLLOW-UP IMAGING',
      'TRAUMA WORKUP',
      'PRE-OPERATIVE PLANNING',
    ]),
  };
}
