import { deflateRawSync } from 'node:zlib';
import { TransferSyntax, transferSyntaxTraits } from '../part10/transfer-syntax.ts';
import { type DcmjsDict, el } from './dcmjs-dict.ts';
import { dcmjs } from './dcmjs-module.ts';

export const IMPLEMENTATION_CLASS_UID = '2.25.190348125311938627513823713402183049521';
export const IMPLEMENTATION_VERSION_NAME = 'ANNEX_SYNTH_1';

/** Pixel data to append after the header: one native buffer, or one compressed fragment per frame. */
export type PixelPayload =
  | { kind: 'native'; data: Uint8Array; vr?: 'OW' | 'OB' }
  | {
      kind: 'encapsulated';
      frames: Uint8Array[];
      /**
       * 'basic' (default): frame offsets in the Basic Offset Table item. 'extended': an empty BOT and the
       * Extended Offset Table (7FE0,0001) with its lengths (7FE0,0002), as used for frames past 4 GiB.
       */
      offsetTable?: 'basic' | 'extended';
    };

export interface Part10Input {
  dataset: DcmjsDict;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  pixels?: PixelPayload;
}

function metaOf(input: Part10Input, transferSyntaxUid: string): DcmjsDict {
  return {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': el('UI', input.sopClassUid),
    '00020003': el('UI', input.sopInstanceUid),
    '00020010': el('UI', transferSyntaxUid),
    '00020012': el('UI', IMPLEMENTATION_CLASS_UID),
    '00020013': el('SH', IMPLEMENTATION_VERSION_NAME),
  };
}

/** Offset of the first dataset byte: preamble, "DICM", then (0002,0000) whose UL value is the group's length. */
function datasetStart(file: Buffer): number {
  return 144 + file.readUInt32LE(140);
}

function elementHeader(
  group: number,
  element: number,
  vr: string,
  length: number,
  explicit: boolean,
): Buffer {
  const header = Buffer.alloc(explicit ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  if (!explicit) {
    header.writeUInt32LE(length >>> 0, 4);
    return header;
  }
  header.write(vr, 4, 'latin1');
  header.writeUInt32LE(length >>> 0, 8);
  return header;
}

const item = (length: number): Buffer => elementHeader(0xfffe, 0xe000, '', length, false);

/**
 * Pixel Data is the last element of these datasets, so it is appended as raw bytes rather than passed through
 * dcmjs: that avoids copying half a megabyte per slice into dcmjs's growing buffers, and lets us write an
 * encapsulated element with a Basic Offset Table and one fragment per frame, exactly as PS3.5 A.4 describes.
 */
function pixelElement(pixels: PixelPayload, explicit: boolean): Buffer[] {
  if (pixels.kind === 'native') {
    const pad = pixels.data.length % 2;
    const parts = [elementHeader(0x7fe0, 0x0010, pixels.vr ?? 'OW', pixels.data.length + pad, explicit)];
    parts.push(Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength));
    if (pad) parts.push(Buffer.alloc(1));
    return parts;
  }
  const offsets: number[] = [];
  let position = 0;
  const fragments: Buffer[] = [];
  for (const frame of pixels.frames) {
    offsets.push(position);
    const pad = frame.length % 2;
    fragments.push(item(frame.length + pad), Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    if (pad) fragments.push(Buffer.alloc(1));
    position += 8 + frame.length + pad;
  }
  const parts: Buffer[] = [];
  let basicOffsetTable = Buffer.alloc(0);
  if (pixels.offsetTable === 'extended') {
    const table = Buffer.alloc(8 * offsets.length);
    const lengths = Buffer.alloc(8 * offsets.length);
    pixels.frames.forEach((frame, i) => {
      table.writeBigUInt64LE(BigInt(offsets[i]!), 8 * i);
      lengths.writeBigUInt64LE(BigInt(frame.length), 8 * i);
    });
    parts.push(elementHeader(0x7fe0, 0x0001, 'OV', table.length, true), table);
    parts.push(elementHeader(0x7fe0, 0x0002, 'OV', lengths.length, true), lengths);
  } else {
    basicOffsetTable = Buffer.alloc(4 * offsets.length);
    for (const [i, offset] of offsets.entries()) basicOffsetTable.writeUInt32LE(offset, 4 * i);
  }
  parts.push(elementHeader(0x7fe0, 0x0010, 'OB', 0xffffffff, true));
  parts.push(item(basicOffsetTable.length), basicOffsetTable, ...fragments);
  parts.push(elementHeader(0xfffe, 0xe0dd, '', 0, false));
  return parts;
}

/**
 * Preamble, meta group and dataset without pixel data, as dcmjs writes them. For the deflated syntax the meta
 * group already names it while the dataset is still plain explicit VR little endian: assemblePart10 deflates.
 */
export function writeHeader(input: Omit<Part10Input, 'pixels'>): Buffer {
  const traits = transferSyntaxTraits(input.transferSyntaxUid);
  if (!traits?.littleEndian) {
    throw new Error('writePart10 supports little endian transfer syntaxes only');
  }
  const datasetSyntax = traits.deflated ? TransferSyntax.ExplicitVRLittleEndian : input.transferSyntaxUid;
  const dict = new dcmjs.data.DicomDict(metaOf(input, datasetSyntax));
  dict.dict = input.dataset;
  const written = Buffer.from(dict.write());
  if (!traits.deflated) return written;
  const metaOnly = Buffer.from(new dcmjs.data.DicomDict(metaOf(input, input.transferSyntaxUid)).write());
  return Buffer.concat([metaOnly, written.subarray(datasetStart(written))]);
}

/** Header from writeHeader plus pixel data: the final file (deflating the dataset when the syntax says so). */
export function assemblePart10(header: Buffer, transferSyntaxUid: string, pixels?: PixelPayload): Buffer {
  const traits = transferSyntaxTraits(transferSyntaxUid)!;
  const pixelParts = pixels ? pixelElement(pixels, traits.explicitVr) : [];
  if (!traits.deflated) return Buffer.concat([header, ...pixelParts]);
  // The meta group stays uncompressed and names the deflated syntax; everything after it is raw deflate.
  const start = datasetStart(header);
  const dataset = Buffer.concat([header.subarray(start), ...pixelParts]);
  return Buffer.concat([header.subarray(0, start), deflateRawSync(dataset, { level: 6 })]);
}

/** Writes a DICOM Part-10 file: dcmjs writes the meta group and header, pixel data is appended by hand. */
export function writePart10(input: Part10Input): Buffer {
  return assemblePart10(writeHeader(input), input.transferSyntaxUid, input.pixels);
}
