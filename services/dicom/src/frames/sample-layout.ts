import type { ParsedInstance } from '../parse/parse-instance.ts';
import { DicomParseError } from '../part10/errors.ts';
import type { DecodedFrame } from './decoded-frame.ts';

// Sample-level transforms that bring any stored layout to the one DecodedFrame promises:
// interleaved, little endian, one typed element per sample, BitsStored-clean.

/** Typed view on little-endian bytes, copying only when the offset is not aligned for the element size. */
export function typedView(bytes: Uint8Array, bitsAllocated: number, signed: boolean): DecodedFrame['pixels'] {
  const size = bitsAllocated / 8;
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const count = Math.floor(aligned.byteLength / size);
  const { buffer, byteOffset } = aligned;
  if (bitsAllocated === 8)
    return signed ? new Int8Array(buffer, byteOffset, count) : new Uint8Array(buffer, byteOffset, count);
  if (bitsAllocated === 16)
    return signed ? new Int16Array(buffer, byteOffset, count) : new Uint16Array(buffer, byteOffset, count);
  if (bitsAllocated === 32)
    return signed ? new Int32Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count);
  throw new DicomParseError('UNSUPPORTED_TRANSFER_SYNTAX', `BitsAllocated ${bitsAllocated} is not supported`);
}

/** Stored values outside BitsStored (overlay bits, garbage) are cleared; signed values are sign-extended. */
export function maskToBitsStored(
  pixels: DecodedFrame['pixels'],
  bitsStored: number,
  bitsAllocated: number,
  signed: boolean,
) {
  if (bitsStored >= bitsAllocated) return pixels;
  const out = pixels.slice();
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  for (let i = 0; i < out.length; i++) {
    const v = (out[i]! & mask) >>> 0;
    out[i] = signed && v >= signBit ? v - 2 * signBit : v;
  }
  return out;
}

/** 1-bit pixels (bits packed LSB first, frames not byte-aligned) unpacked to one byte per pixel. */
export function unpackBits(parsed: ParsedInstance, index: number, count: number): Uint8Array {
  const frame = parsed.pixelData!.frames[index]!;
  const firstBit = (index * count) % 8;
  const src = parsed.context.source;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = firstBit + i;
    out[i] = (src[frame.offset + (bit >> 3)]! >> (bit & 7)) & 1;
  }
  return out;
}

/** Planar (RRR…GGG…BBB…) to interleaved (RGBRGB…), so every decoded frame has one layout. */
export function interleave(
  bytes: Uint8Array,
  image: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number },
) {
  const size = image.bitsAllocated / 8;
  const plane = image.rows * image.columns;
  const out = new Uint8Array(plane * image.samplesPerPixel * size);
  for (let s = 0; s < image.samplesPerPixel; s++) {
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < size; k++)
        out[(p * image.samplesPerPixel + s) * size + k] = bytes[(s * plane + p) * size + k]!;
    }
  }
  return out;
}
