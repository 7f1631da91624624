import {
  type Code,
  codeSeq,
  derivedObjectModules,
  ds,
  type PatientStudy,
  patientStudyModules,
} from '../derived/values.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { type DcmjsDict, el, sq } from '../synthetic/dcmjs-dict.ts';
import { writePart10 } from '../synthetic/part10-writer.ts';
import type { VolumeGeometry } from '../volume/types.ts';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

export interface SegSegment {
  /** 1..n, in the order the segments are given. */
  number: number;
  label: string;
  /** Segmented Property Type (e.g. SCT 52988006 Lesion). */
  code: Code;
  /** Segmented Property Category (e.g. SCT 49755003 Morphologically Altered Structure). */
  category: Code;
  algorithmType: 'MANUAL' | 'SEMIAUTOMATIC' | 'AUTOMATIC';
  /** Algorithm name: required (type 1C) unless MANUAL. */
  algorithmName?: string;
  /** Display colour, '#rrggbb'. */
  color?: string;
  /** 0/1 frames (row-major, rows × columns) by slice index of the geometry; absent slices are empty. */
  slices: ReadonlyMap<number, Uint8Array>;
}

export interface SegInput {
  geometry: VolumeGeometry;
  segments: readonly SegSegment[];
  patient: PatientStudy;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
  contentLabel: string;
  manufacturer: string;
  softwareVersions: string;
  contentDateTime: Date | string;
}

/** '#rrggbb' as PS3.3 C.10.7.1.1 scaled CIELab (D65), for RecommendedDisplayCIELabValue. */
export function hexToDicomLab(hex: string): [number, number, number] {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = [channel(0), channel(1), channel(2)];
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const L = 116 * f(y) - 16;
  const A = 500 * (f(x) - f(y));
  const B = 200 * (f(y) - f(z));
  const clamp = (v: number) => Math.max(0, Math.min(65535, Math.round(v)));
  return [clamp((L * 65535) / 100), clamp(((A + 128) * 65535) / 255), clamp(((B + 128) * 65535) / 255)];
}

/** Frames packed as BitsAllocated 1 pixel data: contiguous bits, first pixel in the lowest bit (PS3.5 8.1.1). */
export function packBits(frames: readonly Uint8Array[], pixelsPerFrame: number): Uint8Array {
  const total = frames.length * pixelsPerFrame;
  const out = new Uint8Array(Math.ceil(total / 8));
  let bit = 0;
  for (const frame of frames) {
    if (frame.length !== pixelsPerFrame) throw new RangeError('a SEG frame is not rows × columns pixels');
    // Byte-aligned frames (the common case: rows × columns a multiple of 8) pack eight pixels at a time.
    if (bit % 8 === 0 && pixelsPerFrame % 8 === 0) {
      let o = bit >> 3;
      for (let i = 0; i < pixelsPerFrame; i += 8, o++)
        out[o] =
          (frame[i]! ? 1 : 0) |
          (frame[i + 1]! ? 2 : 0) |
          (frame[i + 2]! ? 4 : 0) |
          (frame[i + 3]! ? 8 : 0) |
          (frame[i + 4]! ? 16 : 0) |
          (frame[i + 5]! ? 32 : 0) |
          (frame[i + 6]! ? 64 : 0) |
          (frame[i + 7]! ? 128 : 0);
      bit += pixelsPerFrame;
      continue;
    }
    for (let i = 0; i < pixelsPerFrame; i++, bit++) if (frame[i]) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

const SOURCE_FOR_PROCESSING: Code = {
  scheme: 'DCM',
  value: '121322',
  meaning: 'Source image for image processing operation',
};
const SEGMENTATION_DERIVATION: Code = { scheme: 'DCM', value: '113076', meaning: 'Segmentation' };
const TAG_REFERENCED_SEGMENT_NUMBER = 0x0062000b;
const TAG_SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000a;
const TAG_IMAGE_POSITION_PATIENT = 0x00200032;
const TAG_PLANE_POSITION_SEQUENCE = 0x00209113;

/**
 * A binary DICOM Segmentation (PS3.3 A.51) of one series volume: one segment per label with its codes,
 * one frame per (segment, slice) that holds a set pixel and no other, each frame tied to its source image
 * (DerivationImage/SourceImage, plane position) and indexed by segment number then position.
 */
export function writeSeg(input: SegInput): Buffer {
  const { geometry: g } = input;
  const multiFrameSource = new Set<string>();
  for (const f of g.frames) if (f.frameNumber > 1) multiFrameSource.add(f.sopInstanceUid);
  const plane = g.rows * g.columns;
  const dimensionOrganizationUid =
    `${input.sopInstanceUid}.1`.length <= 64 ? `${input.sopInstanceUid}.1` : input.sopInstanceUid;

  const frames: Uint8Array[] = [];
  const perFrame: DcmjsDict[] = [];
  for (const segment of input.segments) {
    for (const k of [...segment.slices.keys()].sort((a, b) => a - b)) {
      const pixels = segment.slices.get(k)!;
      if (!pixels.some((v) => v !== 0)) continue;
      const source = g.frames[k];
      if (!source) throw new RangeError(`segment ${segment.number} paints slice ${k}, outside the volume`);
      frames.push(pixels);
      perFrame.push({
        '00089124': sq({
          '00082112': sq({
            '00081150': el('UI', source.sopClassUid),
            '00081155': el('UI', source.sopInstanceUid),
            ...(multiFrameSource.has(source.sopInstanceUid) || source.frameNumber > 1
              ? { '00081160': el('IS', String(source.frameNumber)) }
              : {}),
            '0040A170': codeSeq(SOURCE_FOR_PROCESSING),
          }),
          '00089215': codeSeq(SEGMENTATION_DERIVATION),
        }),
        '00209111': sq({ '00209157': el('UL', segment.number, k + 1) }),
        '00209113': sq({ '00200032': el('DS', ...source.position.map(ds)) }),
        '0062000A': sq({ '0062000B': el('US', segment.number) }),
      });
    }
  }
  if (frames.length === 0) throw new RangeError('a SEG needs at least one segment with a set pixel');

  const instancesOfSeries = new Map<string, string>();
  for (const f of g.frames) instancesOfSeries.set(f.sopInstanceUid, f.sopClassUid);
  const thickness = g.sliceThickness ?? (g.sliceSpacing || 1);

  const dataset: DcmjsDict = {
    ...patientStudyModules(input.patient, g.studyInstanceUid),
    ...derivedObjectModules({
      sopClassUid: SEGMENTATION_STORAGE,
      sopInstanceUid: input.sopInstanceUid,
      seriesInstanceUid: input.seriesInstanceUid,
      seriesNumber: input.seriesNumber,
      instanceNumber: input.instanceNumber,
      modality: 'SEG',
      manufacturer: input.manufacturer,
      softwareVersions: input.softwareVersions,
      contentDateTime: input.contentDateTime,
    }),
    '00080008': el('CS', 'DERIVED', 'PRIMARY'),
    '00081115': sq({
      '0020000E': el('UI', g.seriesInstanceUid),
      '0008114A': sq(
        ...[...instancesOfSeries].map(([sop, sopClass]) => ({
          '00081150': el('UI', sopClass),
          '00081155': el('UI', sop),
        })),
      ),
    }),
    '00200052': el('UI', g.frameOfReferenceUid),
    '00201040': el('LO'),
    '00209221': sq({ '00209164': el('UI', dimensionOrganizationUid) }),
    '00209222': sq(
      {
        '00209164': el('UI', dimensionOrganizationUid),
        '00209165': { vr: 'AT', Value: [TAG_REFERENCED_SEGMENT_NUMBER] },
        '00209167': { vr: 'AT', Value: [TAG_SEGMENT_IDENTIFICATION_SEQUENCE] },
        '00209421': el('LO', 'ReferencedSegmentNumber'),
      },
      {
        '00209164': el('UI', dimensionOrganizationUid),
        '00209165': { vr: 'AT', Value: [TAG_IMAGE_POSITION_PATIENT] },
        '00209167': { vr: 'AT', Value: [TAG_PLANE_POSITION_SEQUENCE] },
        '00209421': el('LO', 'ImagePositionPatient'),
      },
    ),
    '00209311': el('CS', '3D'),
    '00280002': el('US', 1),
    '00280004': el('CS', 'MONOCHROME2'),
    '00280008': el('IS', String(frames.length)),
    '00280010': el('US', g.rows),
    '00280011': el('US', g.columns),
    '00280100': el('US', 1),
    '00280101': el('US', 1),
    '00280102': el('US', 0),
    '00280103': el('US', 0),
    '00282110': el('CS', '00'),
    '52009229': sq({
      '00209116': sq({ '00200037': el('DS', ...g.orientation.map(ds)) }),
      '00289110': sq({
        '00180050': el('DS', ds(thickness)),
        ...(g.sliceSpacing > 0 ? { '00180088': el('DS', ds(g.sliceSpacing)) } : {}),
        '00280030': el('DS', ds(g.pixelSpacing[0]), ds(g.pixelSpacing[1])),
      }),
    }),
    '52009230': sq(...perFrame),
    '00620001': el('CS', 'BINARY'),
    '00620002': sq(
      ...input.segments.map((s) => ({
        '00620003': codeSeq(s.category),
        '00620004': el('US', s.number),
        '00620005': el('LO', s.label.slice(0, 64)),
        '00620008': el('CS', s.algorithmType),
        ...(s.algorithmType !== 'MANUAL' ? { '00620009': el('LO', s.algorithmName ?? 'unnamed') } : {}),
        ...(s.color ? { '0062000D': el('US', ...hexToDicomLab(s.color)) } : {}),
        '0062000F': codeSeq(s.code),
      })),
    ),
    '00700080': el(
      'CS',
      input.contentLabel
        .toUpperCase()
        .replace(/[^A-Z0-9_ ]/g, '_')
        .slice(0, 16),
    ),
    '00700081': el('LO', 'Annex final label set'),
    '00700084': el('PN'),
  };
  return writePart10({
    dataset,
    sopClassUid: SEGMENTATION_STORAGE,
    sopInstanceUid: input.sopInstanceUid,
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    pixels: { kind: 'native', data: packBits(frames, plane), vr: 'OB' },
  });
}
