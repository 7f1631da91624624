import { z } from 'zod';
import { intIn, numberAbove } from './bounded-number.ts';

// The only DICOM attributes allowed to cross (DESIGN.md rule 1), each as an enum or a bounded
// number so that no DICOM free text can ride along.

/** Modality (0008,0060) defined terms in use for imaging and derived objects. */
export const MODALITIES = [
  'CT',
  'MR',
  'PT',
  'NM',
  'US',
  'CR',
  'DX',
  'MG',
  'XA',
  'RF',
  'IO',
  'PX',
  'OP',
  'OPT',
  'SM',
  'XC',
  'ES',
  'ECG',
  'RTIMAGE',
  'RTDOSE',
  'RTSTRUCT',
  'RTPLAN',
  'SEG',
  'SR',
  'PR',
  'KO',
  'REG',
  'DOC',
  'OT',
] as const;
export const modalitySchema = z.enum(MODALITIES);
export type Modality = z.infer<typeof modalitySchema>;

/**
 * SOP Class UID: standard UIDs only (root 1.2.840.10008.), which name an object type and say
 * nothing about a patient. Private SOP classes would carry a vendor/site root, so they stay home.
 */
export const sopClassUidSchema = z.string().regex(/^(?=.{1,64}$)1\.2\.840\.10008(\.(0|[1-9][0-9]*)){1,12}$/);

/** Rows/Columns (0028,0010/0011) are US: 1..65535. Null for objects without pixels (SR, KO). */
export const matrixDimensionSchema = intIn(1, 65535);

/** Slice thickness in millimetres; null when absent in the source. */
export const sliceThicknessMmSchema = numberAbove(0, 1000);

export const instanceCountSchema = intIn(0, 100_000);
export const frameCountSchema = intIn(0, 10_000_000);
