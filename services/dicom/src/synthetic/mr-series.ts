import { el } from './dcmjs-dict.ts';
import { type SyntheticSeries, writeImageSeries } from './image-series.ts';
import { mrPhantom } from './phantom.ts';
import type { SeriesGeometry, SeriesOptions } from './series-options.ts';
import { ds, dsPoint } from './series-writer.ts';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

export interface MrSeriesOptions extends SeriesOptions {
  slices: number;
  rows?: number;
  cols?: number;
  plane?: 'sagittal' | 'axial';
  pixelSpacing?: number;
  sliceThickness?: number;
  spacingBetweenSlices?: number;
}

/**
 * MR head series (12 bits stored, unsigned), sagittal by default: rows run along -z and columns along +y, so
 * geometry code that assumes axial slices is caught by tests using it.
 */
export function makeMrSeries(options: MrSeriesOptions): SyntheticSeries {
  const rows = options.rows ?? 256;
  const columns = options.cols ?? 256;
  // Default: a 240 mm field of view (0.9375 mm at 256), whatever the matrix.
  const spacing = Number(ds(options.pixelSpacing ?? 240 / Math.max(rows, columns)));
  const thickness = options.sliceThickness ?? 4;
  const step = options.spacingBetweenSlices ?? 4.4;
  const plane = options.plane ?? 'sagittal';
  const halfRows = ((rows - 1) * spacing) / 2;
  const halfCols = ((columns - 1) * spacing) / 2;
  const first = -((options.slices - 1) * step) / 2;
  const sagittal = plane === 'sagittal';
  const geometry: SeriesGeometry = {
    rows,
    columns,
    pixelSpacing: [spacing, spacing],
    sliceThickness: thickness,
    spacingBetweenSlices: step,
    imageOrientationPatient: sagittal ? [0, 1, 0, 0, 0, -1] : [1, 0, 0, 0, 1, 0],
    positions: Array.from({ length: options.slices }, (_, k) =>
      dsPoint(sagittal ? [first + k * step, -halfCols, halfRows] : [-halfCols, -halfRows, -first - k * step]),
    ),
  };
  return writeImageSeries({
    options,
    modality: 'MR',
    sopClassUid: MR_IMAGE_STORAGE,
    defaultSeriesNumber: 3,
    geometry,
    phantom: mrPhantom(),
    rescale: { slope: 1, intercept: 0 },
    window: { center: 800, width: 1600 },
    bitsStored: 12,
    pixelRepresentation: 0,
    attributes: {
      '00080008': el('CS', 'ORIGINAL', 'PRIMARY', 'M', 'ND'),
      '0008103e': el('LO', sagittal ? 'SAG T1 SE' : 'AX T1 SE'),
      '00180015': el('CS', 'HEAD'),
      '00180020': el('CS', 'SE'),
      '00180021': el('CS', 'NONE'),
      '00180022': el('CS', ''),
      '00180023': el('CS', '2D'),
      '00180080': el('DS', '500'),
      '00180081': el('DS', '12'),
      '00180083': el('DS', '1'),
      '00180084': el('DS', '63.87'),
      '00180087': el('DS', '1.5'),
      '00180091': el('IS', '1'),
      '00181030': el('LO', 'T1 SE'),
      '00200020': el('CS', ...(sagittal ? ['P', 'F'] : ['L', 'P'])),
    },
  });
}
