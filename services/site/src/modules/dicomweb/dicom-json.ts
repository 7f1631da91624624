/** DICOM JSON (PS3.18 F.2): a dataset is an object keyed by upper-case tag. */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJson = Record<string, DicomJsonElement>;

export const firstString = (ds: DicomJson | undefined, tag: string): string | undefined => {
  const v = ds?.[tag]?.Value?.[0];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && 'Alphabetic' in v)
    return String((v as { Alphabetic: unknown }).Alphabetic);
  return undefined;
};

export const firstNumber = (ds: DicomJson | undefined, tag: string): number | undefined => {
  const v = ds?.[tag]?.Value?.[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};
