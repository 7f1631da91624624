import { type DcmjsDict, el, sq } from './dcmjs-dict.ts';
import { resolveStudy, type SyntheticSeries } from './image-series.ts';
import { ctPhantom, renderPhantomPlane } from './phantom.ts';
import { phiElements } from './phi-elements.ts';
import { phiValuesOf } from './phi-values.ts';
import {
  type SeriesGeometry,
  type SeriesOptions,
  SYNTHETIC_TRANSFER_SYNTAXES,
  type SyntheticTransferSyntax,
} from './series-options.ts';
import { ds, dsPoint, pixelPayload, writeInstance } from './series-writer.ts';
import { syntheticUid } from './uid.ts';

export const MULTIFRAME_GRAYSCALE_WORD_SC_STORAGE = '1.2.840.10008.5.1.4.1.1.7.3';

export interface MultiframeOptions extends SeriesOptions {
  frames: number;
  rows?: number;
  cols?: number;
  pixelSpacing?: number;
  spacingBetweenSlices?: number;
}

/**
 * One Multi-frame Grayscale Word Secondary Capture object holding a CT phantom volume, with per-frame
 * functional groups (plane position, frame content) and shared ones (orientation, pixel measures), so
 * frame-level code (offset tables, per-frame geometry) is exercised by a single file.
 */
export function makeMultiframe(options: MultiframeOptions): SyntheticSeries {
  const rows = options.rows ?? 256;
  const columns = options.cols ?? 256;
  // Default: the CT phantom's 358 mm field of view (1.4 mm at 256), whatever the matrix.
  const spacing = Number(ds(options.pixelSpacing ?? 358.4 / Math.max(rows, columns)));
  const step = options.spacingBetweenSlices ?? 2.5;
  const transferSyntax: SyntheticTransferSyntax = options.transferSyntax ?? 'explicit';
  const study = resolveStudy(options);
  const seriesNumber = options.seriesNumber ?? 4;
  const seriesKey = `${study.studyInstanceUid}|SC|${seriesNumber}`;
  const seriesInstanceUid = syntheticUid(seriesKey, 'series');
  const frameOfReferenceUid = syntheticUid(seriesKey, 'frame-of-reference');
  const sopInstanceUid = syntheticUid(seriesKey, 'instance', 0);
  const iop: SeriesGeometry['imageOrientationPatient'] = [1, 0, 0, 0, 1, 0];
  const x0 = -((columns - 1) * spacing) / 2;
  const y0 = -((rows - 1) * spacing) / 2;
  const positions = Array.from({ length: options.frames }, (_, k) => dsPoint([x0, y0, -k * step]));
  const geometry: SeriesGeometry = {
    rows,
    columns,
    pixelSpacing: [spacing, spacing],
    sliceThickness: step,
    spacingBetweenSlices: step,
    imageOrientationPatient: iop,
    positions,
  };
  const phantom = ctPhantom((-(options.frames - 1) * step) / 2);
  const intercept = -1024;
  const frames = positions.map((origin) => {
    const pixels = new Uint16Array(rows * columns);
    const plane = { rows, cols: columns, origin, rowDirection: iop.slice(0, 3), colDirection: iop.slice(3) };
    renderPhantomPlane(
      phantom,
      { ...plane, pixelSpacing: [spacing, spacing] },
      (hu) => hu - intercept,
      pixels,
    );
    return pixels;
  });
  const dataset: DcmjsDict = {
    ...phiElements(study, 'OT'),
    '00080005': el('CS', 'ISO_IR 100'),
    '00080008': el('CS', 'DERIVED', 'SECONDARY'),
    '00080016': el('UI', MULTIFRAME_GRAYSCALE_WORD_SC_STORAGE),
    '00080018': el('UI', sopInstanceUid),
    '00080064': el('CS', 'WSD'),
    '0008103e': el('LO', 'MF VOLUME'),
    '00180088': el('DS', ds(step)),
    '00182005': el('DS', ...positions.map((p) => ds(p[2]))),
    '0020000d': el('UI', study.studyInstanceUid),
    '0020000e': el('UI', seriesInstanceUid),
    '00200011': el('IS', String(seriesNumber)),
    '00200013': el('IS', '1'),
    '00200020': el('CS', 'L', 'P'),
    '00200052': el('UI', frameOfReferenceUid),
    '00200060': el('CS', ''),
    '00201040': el('LO', ''),
    '00280002': el('US', 1),
    '00280004': el('CS', 'MONOCHROME2'),
    '00280008': el('IS', String(options.frames)),
    '00280009': el('AT', 0x00182005),
    '00280010': el('US', rows),
    '00280011': el('US', columns),
    '00280100': el('US', 16),
    '00280101': el('US', 16),
    '00280102': el('US', 15),
    '00280103': el('US', 0),
    '00280301': el('CS', 'NO'),
    '00281050': el('DS', '40'),
    '00281051': el('DS', '400'),
    '00281052': el('DS', ds(intercept)),
    '00281053': el('DS', '1'),
    '00281054': el('LO', 'HU'),
    '20500020': el('CS', 'IDENTITY'),
    '52009229': sq({
      '00209116': sq({ '00200037': el('DS', ...iop.map(ds)) }),
      '00289110': sq({
        '00280030': el('DS', ds(spacing), ds(spacing)),
        '00180050': el('DS', ds(step)),
      }),
    }),
    '52009230': sq(
      ...positions.map((p, k) => ({
        '00209111': sq({ '00209056': el('SH', '1'), '00209057': el('UL', k + 1) }),
        '00209113': sq({ '00200032': el('DS', ...p.map(ds)) }),
      })),
    ),
  };
  const file = writeInstance(dataset, transferSyntax, pixelPayload(frames, transferSyntax, rows, columns));
  return {
    study,
    modality: 'OT',
    sopClassUid: MULTIFRAME_GRAYSCALE_WORD_SC_STORAGE,
    transferSyntaxUid: SYNTHETIC_TRANSFER_SYNTAXES[transferSyntax],
    seriesInstanceUid,
    frameOfReferenceUid,
    sopInstanceUids: [sopInstanceUid],
    files: [file],
    geometry,
    phantom,
    rescale: { slope: 1, intercept },
    windowCenter: 40,
    windowWidth: 400,
    bitsStored: 16,
    pixelRepresentation: 0,
    phi: [...phiValuesOf(study), seriesInstanceUid, frameOfReferenceUid, sopInstanceUid],
  };
}
