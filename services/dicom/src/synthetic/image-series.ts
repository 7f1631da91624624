import { type DcmjsDict, el } from './dcmjs-dict.ts';
import { assemblePart10 } from './part10-writer.ts';
import { makePatient } from './patient.ts';
import { type Phantom, renderPhantomPlane } from './phantom.ts';
import { phiElements } from './phi-elements.ts';
import { phiValuesOf } from './phi-values.ts';
import {
  type SeriesGeometry,
  type SeriesOptions,
  SYNTHETIC_TRANSFER_SYNTAXES,
  type SyntheticTransferSyntax,
} from './series-options.ts';
import { ds, pixelPayload } from './series-writer.ts';
import { SliceHeaderTemplate } from './slice-template.ts';
import { makeStudy, type SyntheticStudy } from './study.ts';
import { syntheticUid } from './uid.ts';

/** What a generated series is, beyond its files: everything a test needs to know what to expect. */
export interface SyntheticSeries {
  study: SyntheticStudy;
  modality: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  sopInstanceUids: string[];
  files: Buffer[];
  geometry: SeriesGeometry;
  phantom: Phantom;
  rescale: { slope: number; intercept: number };
  windowCenter: number;
  windowWidth: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  /** The canary list: planted PHI of the patient and study, plus this series' own UIDs (never to leave raw). */
  phi: string[];
}

export function resolveStudy(options: SeriesOptions): SyntheticStudy {
  const seed = options.seed ?? 1;
  if (options.study) return options.study;
  return makeStudy(seed, options.patient ?? makePatient(seed));
}

export interface ImageSeriesSpec {
  options: SeriesOptions;
  modality: string;
  sopClassUid: string;
  defaultSeriesNumber: number;
  /** Slice geometry: one ImagePositionPatient per file, in instance order. */
  geometry: SeriesGeometry;
  phantom: Phantom;
  rescale: { slope: number; intercept: number };
  window: { center: number; width: number };
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  /** Modality-specific attributes (image type, acquisition parameters, series description…). */
  attributes: DcmjsDict;
}

/**
 * Writes a single-frame series. The header is written once (SliceHeaderTemplate) and each slice is a patched
 * copy of it; pixels are rendered into one reused buffer and appended without passing through dcmjs.
 */
export function writeImageSeries(spec: ImageSeriesSpec): SyntheticSeries {
  const study = resolveStudy(spec.options);
  const transferSyntax: SyntheticTransferSyntax = spec.options.transferSyntax ?? 'explicit';
  const seriesNumber = spec.options.seriesNumber ?? spec.defaultSeriesNumber;
  const seriesKey = `${study.studyInstanceUid}|${spec.modality}|${seriesNumber}`;
  const seriesInstanceUid = syntheticUid(seriesKey, 'series');
  const frameOfReferenceUid = syntheticUid(seriesKey, 'frame-of-reference');
  const { rows, columns, imageOrientationPatient: iop, pixelSpacing } = spec.geometry;
  const dataset: DcmjsDict = {
    ...phiElements(study, spec.modality),
    '00080005': el('CS', 'ISO_IR 100'),
    '00080016': el('UI', spec.sopClassUid),
    '00181020': el('LO', 'annex-synthetic 1'),
    '00185100': el('CS', 'HFS'),
    '0020000d': el('UI', study.studyInstanceUid),
    '0020000e': el('UI', seriesInstanceUid),
    '00200011': el('IS', String(seriesNumber)),
    '00200012': el('IS', '1'),
    '00200037': el('DS', ...iop.map(ds)),
    '00200052': el('UI', frameOfReferenceUid),
    '00201040': el('LO', ''),
    '00280002': el('US', 1),
    '00280004': el('CS', 'MONOCHROME2'),
    '00280010': el('US', rows),
    '00280011': el('US', columns),
    '00280030': el('DS', ds(pixelSpacing[0]), ds(pixelSpacing[1])),
    '00280100': el('US', 16),
    '00280101': el('US', spec.bitsStored),
    '00280102': el('US', spec.bitsStored - 1),
    '00280103': el('US', spec.pixelRepresentation),
    '00281050': el('DS', ds(spec.window.center)),
    '00281051': el('DS', ds(spec.window.width)),
    '00180050': el('DS', ds(spec.geometry.sliceThickness)),
    '00180088': el('DS', ds(spec.geometry.spacingBetweenSlices)),
    ...spec.attributes,
  };
  const pixels =
    spec.pixelRepresentation === 1 ? new Int16Array(rows * columns) : new Uint16Array(rows * columns);
  const { slope, intercept } = spec.rescale;
  const toStored = (value: number) => Math.round((value - intercept) / slope);
  const normal = [
    iop[1] * iop[5] - iop[2] * iop[4],
    iop[2] * iop[3] - iop[0] * iop[5],
    iop[0] * iop[4] - iop[1] * iop[3],
  ];
  const files: Buffer[] = [];
  const sopInstanceUids: string[] = [];
  const transferSyntaxUid = SYNTHETIC_TRANSFER_SYNTAXES[transferSyntax];
  const template = new SliceHeaderTemplate(dataset, spec.sopClassUid, transferSyntaxUid);
  spec.geometry.positions.forEach((position, k) => {
    const sopInstanceUid = syntheticUid(seriesKey, 'instance', k);
    sopInstanceUids.push(sopInstanceUid);
    // SliceLocation: the position projected on the slice normal, as scanners report it.
    const location = position[0] * normal[0]! + position[1] * normal[1]! + position[2] * normal[2]!;
    const header = template.slice({
      sopInstanceUid,
      instanceNumber: k + 1,
      imagePositionPatient: position.map(ds),
      sliceLocation: ds(location),
    });
    renderPhantomPlane(
      spec.phantom,
      {
        rows,
        cols: columns,
        origin: position,
        rowDirection: iop.slice(0, 3),
        colDirection: iop.slice(3),
        pixelSpacing,
      },
      toStored,
      pixels,
    );
    files.push(
      assemblePart10(header, transferSyntaxUid, pixelPayload([pixels], transferSyntax, rows, columns)),
    );
  });
  return {
    study,
    modality: spec.modality,
    sopClassUid: spec.sopClassUid,
    transferSyntaxUid,
    seriesInstanceUid,
    frameOfReferenceUid,
    sopInstanceUids,
    files,
    geometry: spec.geometry,
    phantom: spec.phantom,
    rescale: spec.rescale,
    windowCenter: spec.window.center,
    windowWidth: spec.window.width,
    bitsStored: spec.bitsStored,
    pixelRepresentation: spec.pixelRepresentation,
    phi: [...phiValuesOf(study), seriesInstanceUid, frameOfReferenceUid, ...sopInstanceUids],
  };
}
