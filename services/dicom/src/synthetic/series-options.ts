import { TransferSyntax } from '../part10/transfer-syntax.ts';
import type { SyntheticPatient } from './patient.ts';
import type { SyntheticStudy } from './study.ts';

/** Transfer syntaxes the generator can write, by short name. */
export const SYNTHETIC_TRANSFER_SYNTAXES = {
  implicit: TransferSyntax.ImplicitVRLittleEndian,
  explicit: TransferSyntax.ExplicitVRLittleEndian,
  deflated: TransferSyntax.DeflatedExplicitVRLittleEndian,
  rle: TransferSyntax.RLELossless,
} as const;
export type SyntheticTransferSyntax = keyof typeof SYNTHETIC_TRANSFER_SYNTAXES;

export interface SeriesOptions {
  seed?: string | number;
  patient?: SyntheticPatient;
  study?: SyntheticStudy;
  transferSyntax?: SyntheticTransferSyntax;
  seriesNumber?: number;
}

/** Geometry of a generated series, so tests can compute where any voxel lies in patient space. */
export interface SeriesGeometry {
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm, DICOM order. */
  pixelSpacing: [number, number];
  sliceThickness: number;
  spacingBetweenSlices: number;
  imageOrientationPatient: [number, number, number, number, number, number];
  /** ImagePositionPatient of each slice, in instance order. */
  positions: Array<[number, number, number]>;
}

/** Patient-space position (mm) of pixel (row, column) of a slice: PS3.3 C.7.6.2.1.1. */
export function pixelToPatient(
  geometry: SeriesGeometry,
  slice: number,
  row: number,
  column: number,
): number[] {
  const origin = geometry.positions[slice]!;
  const iop = geometry.imageOrientationPatient;
  return [0, 1, 2].map(
    (i) =>
      origin[i]! + iop[i]! * column * geometry.pixelSpacing[1] + iop[i + 3]! * row * geometry.pixelSpacing[0],
  );
}

/** Inverse of pixelToPatient for a point assumed to lie in the slice plane: [row, column] (fractional). */
export function patientToPixel(
  geometry: SeriesGeometry,
  slice: number,
  point: readonly number[],
): [number, number] {
  const origin = geometry.positions[slice]!;
  const iop = geometry.imageOrientationPatient;
  const d = [0, 1, 2].map((i) => point[i]! - origin[i]!);
  const alongRow = d[0]! * iop[0] + d[1]! * iop[1] + d[2]! * iop[2];
  const alongCol = d[0]! * iop[3] + d[1]! * iop[4] + d[2]! * iop[5];
  return [alongCol / geometry.pixelSpacing[0], alongRow / geometry.pixelSpacing[1]];
}
