import { encodeRleFrame } from '../frames/rle-encode.ts';
import type { DcmjsDict } from './dcmjs-dict.ts';
import { type PixelPayload, writePart10 } from './part10-writer.ts';
import { SYNTHETIC_TRANSFER_SYNTAXES, type SyntheticTransferSyntax } from './series-options.ts';

/** Packs one or more frames of 16-bit pixels for the chosen transfer syntax (native bytes or RLE fragments). */
export function pixelPayload(
  frames: Array<Uint16Array | Int16Array>,
  transferSyntax: SyntheticTransferSyntax,
  rows: number,
  columns: number,
): PixelPayload {
  const asBytes = (f: Uint16Array | Int16Array) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  if (transferSyntax === 'rle') {
    return {
      kind: 'encapsulated',
      frames: frames.map((f) => encodeRleFrame(asBytes(f), { rows, columns, bitsAllocated: 16 })),
    };
  }
  if (frames.length === 1) return { kind: 'native', data: asBytes(frames[0]!) };
  const all = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    all.set(asBytes(f), at);
    at += f.byteLength;
  }
  return { kind: 'native', data: all };
}

export function writeInstance(
  dataset: DcmjsDict,
  transferSyntax: SyntheticTransferSyntax,
  pixels: PixelPayload,
): Buffer {
  const sopClassUid = String(dataset['00080016']?.Value?.[0]);
  const sopInstanceUid = String(dataset['00080018']?.Value?.[0]);
  return writePart10({
    dataset,
    sopClassUid,
    sopInstanceUid,
    transferSyntaxUid: SYNTHETIC_TRANSFER_SYNTAXES[transferSyntax],
    pixels,
  });
}

/** DS values as strings: dcmjs would print JS floats like 0.30000000000000004, which exceed DS's 16 chars. */
export const ds = (value: number): string => String(Math.round(value * 1e4) / 1e4);

/** A position as it will read back from the file (DS-rounded), so geometry and file agree exactly. */
export const dsPoint = (p: readonly number[]): [number, number, number] => [
  Number(ds(p[0]!)),
  Number(ds(p[1]!)),
  Number(ds(p[2]!)),
];
