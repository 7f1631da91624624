import { DicomParseError } from '../parse/errors.ts';
import type { ParsedInstance } from '../parse/parse-instance.ts';
import { TransferSyntax, transferSyntaxTraits } from '../parse/transfer-syntax.ts';
import { initCodecs, loadedCodecs } from './codecs.ts';
import type { DecodedFrame } from './decoded-frame.ts';
import { getFrame } from './get-frame.ts';
import { decodeRleFrame } from './rle-decode.ts';

type CodecName = 'decodeJpeg' | 'decodeJpegLs' | 'decodeJpeg2000' | 'decodeHtJpeg2000';
const CODEC_BY_SYNTAX: Record<string, CodecName> = {
  [TransferSyntax.JPEGBaseline8Bit]: 'decodeJpeg',
  [TransferSyntax.JPEGExtended12Bit]: 'decodeJpeg',
  [TransferSyntax.JPEGLossless]: 'decodeJpeg',
  [TransferSyntax.JPEGLosslessSV1]: 'decodeJpeg',
  [TransferSyntax.JPEGLSLossless]: 'decodeJpegLs',
  [TransferSyntax.JPEGLSNearLossless]: 'decodeJpegLs',
  [TransferSyntax.JPEG2000Lossless]: 'decodeJpeg2000',
  [TransferSyntax.JPEG2000]: 'decodeJpeg2000',
  [TransferSyntax.HTJ2KLossless]: 'decodeHtJpeg2000',
  [TransferSyntax.HTJ2KLosslessRPCL]: 'decodeHtJpeg2000',
  [TransferSyntax.HTJ2K]: 'decodeHtJpeg2000',
};

/** Whether decodeFrame can decode pixel data stored in this transfer syntax. */
export function canDecode(transferSyntaxUid: string): boolean {
  const traits = transferSyntaxTraits(transferSyntaxUid);
  return (
    !!traits &&
    (!traits.encapsulated ||
      transferSyntaxUid === TransferSyntax.RLELossless ||
      transferSyntaxUid in CODEC_BY_SYNTAX)
  );
}

function imageOf(parsed: ParsedInstance) {
  const { rows, columns, bitsAllocated } = parsed;
  if (!rows || !columns || !bitsAllocated) {
    throw new DicomParseError('BAD_PIXEL_DATA', 'Rows, Columns or BitsAllocated is missing');
  }
  return {
    rows,
    columns,
    bitsAllocated,
    samplesPerPixel: parsed.samplesPerPixel ?? 1,
    bitsStored: parsed.bitsStored ?? bitsAllocated,
    pixelRepresentation: parsed.pixelRepresentation ?? 0,
    planarConfiguration: parsed.planarConfiguration ?? 0,
    photometricInterpretation: parsed.photometricInterpretation ?? 'MONOCHROME2',
  };
}

/** Typed view on little-endian bytes, copying only when the offset is not aligned for the element size. */
function typedView(bytes: Uint8Array, bitsAllocated: number, signed: boolean): DecodedFrame['pixels'] {
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
function maskToBitsStored(
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

function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + size <= bytes.length; i += size)
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  return out;
}

/** 1-bit pixels (bits packed LSB first, frames not byte-aligned) unpacked to one byte per pixel. */
function unpackBits(parsed: ParsedInstance, index: number, count: number): Uint8Array {
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

/**
 * Decodes frame `index` (0-based) synchronously. Native, deflated and RLE always work; the JPEG family
 * (baseline, extended, lossless, JPEG-LS, JPEG 2000, HTJ2K) works once initCodecs() has resolved, otherwise
 * it throws UNSUPPORTED_TRANSFER_SYNTAX: use decodeFrame, which initializes them.
 */
export function decodeFrameSync(parsed: ParsedInstance, index: number): DecodedFrame {
  const image = imageOf(parsed);
  const signed = image.pixelRepresentation === 1;
  const traits = transferSyntaxTraits(parsed.transferSyntaxUid)!;
  const pixelCount = image.rows * image.columns * image.samplesPerPixel;
  const stored = getFrame(parsed, index);
  let bytes: Uint8Array;
  let photometricInterpretation = image.photometricInterpretation;
  if (!traits.encapsulated) {
    if (image.bitsAllocated === 1) {
      bytes = unpackBits(parsed, index, pixelCount);
      image.bitsAllocated = 8;
      image.bitsStored = 8;
    } else {
      bytes = traits.littleEndian ? stored : swapBytes(stored, image.bitsAllocated / 8);
      if (image.samplesPerPixel > 1 && image.planarConfiguration === 1) bytes = interleave(bytes, image);
    }
  } else if (parsed.transferSyntaxUid === TransferSyntax.RLELossless) {
    bytes = decodeRleFrame(stored, image);
  } else {
    const codecName = CODEC_BY_SYNTAX[parsed.transferSyntaxUid];
    const codecs = loadedCodecs();
    if (!codecName || !codecs) {
      throw new DicomParseError(
        'UNSUPPORTED_TRANSFER_SYNTAX',
        codecName
          ? `codecs for ${parsed.transferSyntaxUid} are not initialized: call initCodecs() or use decodeFrame()`
          : `no decoder for transfer syntax ${parsed.transferSyntaxUid}`,
      );
    }
    const context = new codecs.Context({
      width: image.columns,
      height: image.rows,
      bitsAllocated: image.bitsAllocated,
      bitsStored: image.bitsStored,
      samplesPerPixel: image.samplesPerPixel,
      pixelRepresentation: image.pixelRepresentation,
      planarConfiguration: image.planarConfiguration,
      photometricInterpretation: image.photometricInterpretation,
      encodedBuffer: new Uint8Array(stored),
    });
    let decoded: Uint8Array | undefined;
    try {
      const result = codecs.NativeCodecs[codecName](context, { convertColorspaceToRgb: true });
      decoded = result.getDecodedBuffer();
      photometricInterpretation = result.getPhotometricInterpretation() ?? photometricInterpretation;
    } catch {
      throw new DicomParseError('BAD_PIXEL_DATA', `frame ${index} could not be decoded`);
    }
    if (!decoded) throw new DicomParseError('BAD_PIXEL_DATA', `frame ${index} could not be decoded`);
    // The codec's output lives in WASM memory that the next call may reuse: copy it out.
    bytes = new Uint8Array(decoded);
  }
  const expected = (pixelCount * image.bitsAllocated) / 8;
  if (bytes.length < expected) {
    throw new DicomParseError(
      'BAD_PIXEL_DATA',
      `frame ${index} decoded to ${bytes.length} bytes, expected ${expected}`,
    );
  }
  const pixels = maskToBitsStored(
    typedView(bytes.subarray(0, expected), image.bitsAllocated, signed),
    image.bitsStored,
    image.bitsAllocated,
    signed,
  );
  return {
    rows: image.rows,
    columns: image.columns,
    samplesPerPixel: image.samplesPerPixel,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    pixelRepresentation: image.pixelRepresentation,
    photometricInterpretation,
    rescaleSlope: parsed.rescaleSlope ?? 1,
    rescaleIntercept: parsed.rescaleIntercept ?? 0,
    windowCenter: parsed.windowCenter?.[0],
    windowWidth: parsed.windowWidth?.[0],
    pixels,
  };
}

/** Planar (RRR…GGG…BBB…) to interleaved (RGBRGB…), so every decoded frame has one layout. */
function interleave(
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

/** Decodes frame `index` (0-based), loading the WASM codecs first when the transfer syntax needs them. */
export async function decodeFrame(parsed: ParsedInstance, index: number): Promise<DecodedFrame> {
  if (parsed.transferSyntaxUid in CODEC_BY_SYNTAX) await initCodecs();
  return decodeFrameSync(parsed, index);
}
