/// <reference path="../types/dcmjs.d.ts" />
import { data } from 'dcmjs';

// Reads a binary DICOM Segmentation with dcmjs, the parser OHIF and many users' scripts read SEG with:
// Annex's viewer opens an exported SEG through it, so what it shows is what a user's tool would see.
// Browser-safe: no node: imports.

export const SEGMENTATION_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

export type SegReadErrorCode =
  | 'SEG_UNREADABLE'
  | 'SEG_NOT_A_SEGMENTATION'
  | 'SEG_NOT_BINARY'
  | 'SEG_TRUNCATED';

export class SegReadError extends Error {
  constructor(
    readonly code: SegReadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SegReadError';
  }
}

export interface ReadSegment {
  number: number;
  label: string;
  code?: { scheme: string; value: string; meaning: string };
  /** sRGB from RecommendedDisplayCIELabValue, when the SEG has one. */
  color?: [number, number, number];
}

export interface ReadSegFrame {
  segment: number;
  /** The source image the frame was derived from, and its frame number (1 for single-frame images). */
  sopInstanceUid: string;
  frameNumber: number;
  /** 0/1 per pixel, row-major, rows × columns. */
  pixels: Uint8Array;
}

export interface ReadSeg {
  rows: number;
  columns: number;
  seriesInstanceUid?: string;
  segments: ReadSegment[];
  frames: ReadSegFrame[];
}

type Item = Record<string, unknown>;
const first = (v: unknown): Item | undefined =>
  Array.isArray(v) ? (v[0] as Item | undefined) : (v as Item | undefined);

/** Scaled CIELab (PS3.3 C.10.7.1.1, D65) back to 8-bit sRGB. */
export function dicomLabToRgb(lab: readonly number[]): [number, number, number] {
  const L = (lab[0]! * 100) / 65535;
  const a = (lab[1]! * 255) / 65535 - 128;
  const b = (lab[2]! * 255) / 65535 - 128;
  const fy = (L + 16) / 116;
  const finv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));
  const [x, y, z] = [0.95047 * finv(fy + a / 500), finv(fy), 1.08883 * finv(fy - b / 200)];
  const linear = [
    3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
    -0.969266 * x + 1.8760108 * y + 0.041556 * z,
    0.0556434 * x - 0.2040259 * y + 1.0572252 * z,
  ];
  const gamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
  return linear.map((c) => Math.max(0, Math.min(255, Math.round(gamma(c) * 255)))) as [
    number,
    number,
    number,
  ];
}

function codeOf(seq: unknown): ReadSegment['code'] {
  const c = first(seq);
  if (!c) return undefined;
  const value = (c.CodeValue ?? c.LongCodeValue) as string | undefined;
  if (!value) return undefined;
  return {
    scheme: String(c.CodingSchemeDesignator ?? ''),
    value: String(value),
    meaning: String(c.CodeMeaning ?? ''),
  };
}

/** A binary SEG's segments and frames, each frame tied to its source image; refuses anything else. */
export function readSeg(bytes: ArrayBuffer): ReadSeg {
  let ds: Item;
  try {
    ds = data.DicomMetaDictionary.naturalizeDataset(data.DicomMessage.readFile(bytes).dict);
  } catch (error) {
    throw new SegReadError(
      'SEG_UNREADABLE',
      `This file is not readable DICOM (${(error as Error).message}).`,
    );
  }
  if (ds.SOPClassUID !== SEGMENTATION_SOP_CLASS)
    throw new SegReadError('SEG_NOT_A_SEGMENTATION', 'This DICOM file is not a Segmentation.');
  if (ds.SegmentationType !== 'BINARY' || Number(ds.BitsAllocated) !== 1)
    throw new SegReadError('SEG_NOT_BINARY', 'Only binary segmentations can be shown.');
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  const perFrame = (
    Array.isArray(ds.PerFrameFunctionalGroupsSequence)
      ? ds.PerFrameFunctionalGroupsSequence
      : [ds.PerFrameFunctionalGroupsSequence]
  ) as Item[];
  const count = Number(ds.NumberOfFrames ?? perFrame.length);
  const chunks = (Array.isArray(ds.PixelData) ? ds.PixelData : [ds.PixelData]) as ArrayBuffer[];
  const packed = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    packed.set(new Uint8Array(c), at);
    at += c.byteLength;
  }
  const plane = rows * columns;
  if (packed.length * 8 < plane * count)
    throw new SegReadError(
      'SEG_TRUNCATED',
      `The pixel data holds fewer than ${count} frames of ${columns}×${rows}.`,
    );

  const segments = (
    (Array.isArray(ds.SegmentSequence) ? ds.SegmentSequence : [ds.SegmentSequence]) as Item[]
  ).map((s): ReadSegment => {
    const lab = s.RecommendedDisplayCIELabValue as number[] | undefined;
    const code = codeOf(s.SegmentedPropertyTypeCodeSequence);
    return {
      number: Number(s.SegmentNumber),
      label: String(s.SegmentLabel ?? ''),
      ...(code ? { code } : {}),
      ...(Array.isArray(lab) && lab.length === 3 ? { color: dicomLabToRgb(lab) } : {}),
    };
  });
  const frames: ReadSegFrame[] = [];
  for (let f = 0; f < count; f++) {
    const group = perFrame[f] ?? {};
    const source = first(first(group.DerivationImageSequence)?.SourceImageSequence);
    const segment = Number(first(group.SegmentIdentificationSequence)?.ReferencedSegmentNumber);
    if (!source?.ReferencedSOPInstanceUID || !Number.isFinite(segment)) continue;
    const pixels = new Uint8Array(plane);
    const base = f * plane;
    for (let i = 0; i < plane; i++) {
      const bit = base + i;
      pixels[i] = (packed[bit >> 3]! >> (bit & 7)) & 1;
    }
    frames.push({
      segment,
      sopInstanceUid: String(source.ReferencedSOPInstanceUID),
      frameNumber: Number(source.ReferencedFrameNumber ?? 1) || 1,
      pixels,
    });
  }
  const series = first(ds.ReferencedSeriesSequence)?.SeriesInstanceUID as string | undefined;
  return { rows, columns, ...(series ? { seriesInstanceUid: series } : {}), segments, frames };
}
