// DICOM JSON model (PS3.18 F.2) as returned by QIDO-RS and WADO-RS metadata.
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}
export type DicomJson = Record<string, DicomJsonElement>;

export function firstValue(ds: DicomJson, tag: string): unknown {
  return ds[tag]?.Value?.[0];
}

export function getString(ds: DicomJson, tag: string): string | undefined {
  const v = firstValue(ds, tag);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && v !== null && 'Alphabetic' in v)
    return String((v as { Alphabetic: unknown }).Alphabetic);
  return String(v);
}

export function getNumber(ds: DicomJson, tag: string): number | undefined {
  const v = firstValue(ds, tag);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function getNumbers(ds: DicomJson, tag: string): number[] | undefined {
  const vs = ds[tag]?.Value;
  if (!vs) return undefined;
  const ns = vs.map((v) => Number(v));
  return ns.every(Number.isFinite) ? ns : undefined;
}

export const Tag = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  Modality: '00080060',
  StudyDate: '00080020',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfFrames: '00280008',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  PixelSpacing: '00280030',
  Rows: '00280010',
  Columns: '00280011',
  WindowCenter: '00281050',
  WindowWidth: '00281051',
  WindowCenterWidthExplanation: '00281055',
  NumberOfSeriesRelatedInstances: '00201209',
  NumberOfStudyRelatedSeries: '00201206',
  ModalitiesInStudy: '00080061',
  PatientName: '00100010',
  PatientID: '00100020',
  AccessionNumber: '00080050',
  TransferSyntaxUID: '00020010',
  AvailableTransferSyntaxUID: '00083002',
} as const;
