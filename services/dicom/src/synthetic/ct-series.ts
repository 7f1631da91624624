import { el } from './dcmjs-dict.ts';
import { type SyntheticSeries, writeImageSeries } from './image-series.ts';
import { ctPhantom } from './phantom.ts';
import type { SeriesGeometry, SeriesOptions } from './series-options.ts';
import { ds, dsPoint } from './series-writer.ts';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

export interface CtSeriesOptions extends SeriesOptions {
  slices: number;
  rows?: number;
  cols?: number;
  pixelSpacing?: number;
  sliceThickness?: number;
  spacingBetweenSlices?: number;
  /** 1: signed stored values (intercept 0); 0: unsigned with intercept -1024 (the usual scanner output). */
  pixelRepresentation?: 0 | 1;
  rescaleSlope?: number;
  /**
   * ImageOrientationPatient (row then column cosines); default axial [1,0,0,0,1,0]. An oblique one tilts
   * the whole stack: slices still step along the normal, through the same phantom.
   */
  orientation?: [number, number, number, number, number, number];
  /** 'reverse': instances numbered from the last slice to the first, as some scanners write them. */
  sliceOrder?: 'forward' | 'reverse';
}

/** Axial CT series of a body phantom in HU; slices step toward the feet by SpacingBetweenSlices. */
export function makeCtSeries(options: CtSeriesOptions): SyntheticSeries {
  const rows = options.rows ?? 512;
  const columns = options.cols ?? 512;
  // Default: a 358 mm field of view (0.7 mm at 512), so small test matrices still show the whole phantom.
  const spacing = Number(ds(options.pixelSpacing ?? 358.4 / Math.max(rows, columns)));
  const thickness = options.sliceThickness ?? 1.25;
  const step = options.spacingBetweenSlices ?? thickness;
  const pixelRepresentation = options.pixelRepresentation ?? 0;
  const slope = options.rescaleSlope ?? 1;
  const iop = options.orientation ?? [1, 0, 0, 0, 1, 0];
  const r = iop.slice(0, 3);
  const c = iop.slice(3, 6);
  // Slices step toward the feet for axial; for any orientation along -normal (normal = row × column).
  const n = [r[1]! * c[2]! - r[2]! * c[1]!, r[2]! * c[0]! - r[0]! * c[2]!, r[0]! * c[1]! - r[1]! * c[0]!];
  // The image centre stays on the patient axis: the first pixel sits half a field back along row and column.
  const half = [0, 1, 2].map((i) => -((columns - 1) * spacing * r[i]! + (rows - 1) * spacing * c[i]!) / 2);
  const positions = Array.from({ length: options.slices }, (_, k) =>
    dsPoint([0, 1, 2].map((i) => half[i]! - k * step * n[i]!)),
  );
  if (options.sliceOrder === 'reverse') positions.reverse();
  const geometry: SeriesGeometry = {
    rows,
    columns,
    pixelSpacing: [spacing, spacing],
    sliceThickness: thickness,
    spacingBetweenSlices: step,
    imageOrientationPatient: iop.map((v) => Number(ds(v))) as SeriesGeometry['imageOrientationPatient'],
    positions,
  };
  return writeImageSeries({
    options,
    modality: 'CT',
    sopClassUid: CT_IMAGE_STORAGE,
    defaultSeriesNumber: 2,
    geometry,
    phantom: ctPhantom((-(options.slices - 1) * step) / 2),
    rescale: { slope, intercept: pixelRepresentation === 1 ? 0 : -1024 },
    window: { center: 40, width: 400 },
    bitsStored: 16,
    pixelRepresentation,
    attributes: {
      '00080008': el('CS', 'ORIGINAL', 'PRIMARY', 'AXIAL'),
      '0008103e': el('LO', `AX ${ds(thickness)}mm SOFT TISSUE`),
      '00180015': el('CS', 'CHEST'),
      '00180060': el('DS', '120'),
      '00181151': el('IS', '250'),
      '00181210': el('SH', 'STANDARD'),
      '00200020': el('CS', 'L', 'P'),
      '00281052': el('DS', ds(pixelRepresentation === 1 ? 0 : -1024)),
      '00281053': el('DS', ds(slope)),
      '00281054': el('LO', 'HU'),
    },
  });
}
