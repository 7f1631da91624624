import { createRequire } from 'node:module';

interface DictEntry {
  tag: string;
  vr: string;
  name: string;
}
// dcmjs ships no types; only its data dictionary is used here, typed at this one seam.
const dcmjs = createRequire(import.meta.url)('dcmjs') as {
  data: {
    DicomMetaDictionary: { nameMap: Record<string, DictEntry>; dictionary: Record<string, DictEntry> };
  };
};
const { nameMap, dictionary } = dcmjs.data.DicomMetaDictionary;

/** A tag as DICOM JSON writes it: eight upper-case hex digits. */
export type TagHex = string;

const TAG_FORM = /^[0-9A-Fa-f]{8}$/;

/** `PatientName` or `00100010` → `00100010`; undefined when it is neither a known keyword nor a tag. */
export function tagOf(keywordOrTag: string): TagHex | undefined {
  if (TAG_FORM.test(keywordOrTag)) return keywordOrTag.toUpperCase();
  const entry = nameMap[keywordOrTag];
  return entry ? entry.tag.replace(/[(),]/g, '').toUpperCase() : undefined;
}

/** The VR the dictionary gives a tag (first of "US or SS" style choices), or undefined for private/unknown. */
export function vrOf(tag: TagHex): string | undefined {
  const entry = dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
  return entry?.vr.slice(0, 2);
}

/** Tags of the attributes this module names, so code reads as keywords and never as magic numbers. */
export const T = {
  SpecificCharacterSet: '00080005',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  InstanceAvailability: '00080056',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  ReferringPhysicianName: '00080090',
  TimezoneOffsetFromUTC: '00080201',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  RetrieveURL: '00081190',
  PatientName: '00100010',
  PatientID: '00100020',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  StudyID: '00200010',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  BitsAllocated: '00280100',
  PerformedProcedureStepStartDate: '00400244',
  PerformedProcedureStepStartTime: '00400245',
  RequestAttributesSequence: '00400275',
  PixelData: '7FE00010',
} as const;
