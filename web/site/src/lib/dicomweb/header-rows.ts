import type { DicomJson, DicomJsonElement } from './dicom-json.ts';

// Keywords for the attributes a reader looks for; others show as (gggg,eeee). A full PS3.6
// dictionary would add ~200 kB to the bundle for little use.
const KEYWORDS: Record<string, string> = {
  '00080005': 'SpecificCharacterSet',
  '00080008': 'ImageType',
  '00080016': 'SOPClassUID',
  '00080018': 'SOPInstanceUID',
  '00080020': 'StudyDate',
  '00080021': 'SeriesDate',
  '00080030': 'StudyTime',
  '00080050': 'AccessionNumber',
  '00080060': 'Modality',
  '00080070': 'Manufacturer',
  '00080080': 'InstitutionName',
  '00080090': 'ReferringPhysicianName',
  '00081030': 'StudyDescription',
  '0008103E': 'SeriesDescription',
  '00081090': 'ManufacturerModelName',
  '00100010': 'PatientName',
  '00100020': 'PatientID',
  '00100030': 'PatientBirthDate',
  '00100040': 'PatientSex',
  '00101010': 'PatientAge',
  '00120062': 'PatientIdentityRemoved',
  '00120063': 'DeidentificationMethod',
  '00180015': 'BodyPartExamined',
  '00180050': 'SliceThickness',
  '00180060': 'KVP',
  '00180088': 'SpacingBetweenSlices',
  '00181151': 'XRayTubeCurrent',
  '00185100': 'PatientPosition',
  '0020000D': 'StudyInstanceUID',
  '0020000E': 'SeriesInstanceUID',
  '00200010': 'StudyID',
  '00200011': 'SeriesNumber',
  '00200013': 'InstanceNumber',
  '00200032': 'ImagePositionPatient',
  '00200037': 'ImageOrientationPatient',
  '00200052': 'FrameOfReferenceUID',
  '00201041': 'SliceLocation',
  '00280002': 'SamplesPerPixel',
  '00280004': 'PhotometricInterpretation',
  '00280008': 'NumberOfFrames',
  '00280010': 'Rows',
  '00280011': 'Columns',
  '00280030': 'PixelSpacing',
  '00280100': 'BitsAllocated',
  '00280101': 'BitsStored',
  '00280102': 'HighBit',
  '00280103': 'PixelRepresentation',
  '00281050': 'WindowCenter',
  '00281051': 'WindowWidth',
  '00281052': 'RescaleIntercept',
  '00281053': 'RescaleSlope',
  '00281054': 'RescaleType',
  '7FE00010': 'PixelData',
};

export interface HeaderRow {
  tag: string;
  keyword: string;
  vr: string;
  value: string;
  depth: number;
}

function formatValue(el: DicomJsonElement): string {
  if (el.BulkDataURI !== undefined || el.InlineBinary !== undefined) return '(binary)';
  const vs = el.Value ?? [];
  if (el.vr === 'SQ') return `${vs.length} item${vs.length === 1 ? '' : 's'}`;
  const s = vs
    .map((v) =>
      v && typeof v === 'object' && 'Alphabetic' in v
        ? String((v as { Alphabetic: unknown }).Alphabetic)
        : String(v),
    )
    .join('\\');
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** The header as rows in tag order, sequences flattened with a depth. Shows what the server sent. */
export function headerRows(ds: DicomJson, depth = 0): HeaderRow[] {
  const rows: HeaderRow[] = [];
  for (const tag of Object.keys(ds).sort()) {
    const el = ds[tag] as DicomJsonElement;
    rows.push({
      tag: `(${tag.slice(0, 4)},${tag.slice(4)})`,
      keyword: KEYWORDS[tag.toUpperCase()] ?? '',
      vr: el.vr,
      value: formatValue(el),
      depth,
    });
    if (el.vr === 'SQ' && depth < 4) {
      for (const item of el.Value ?? []) {
        if (item && typeof item === 'object') rows.push(...headerRows(item as DicomJson, depth + 1));
      }
    }
  }
  return rows;
}
