import { swapBytes } from '../parse/byte-order.ts';
import type { ParsedInstance } from '../parse/parse-instance.ts';
import { DicomParseError, describeUid } from '../part10/errors.ts';
import { TransferSyntax, transferSyntaxTraits } from '../part10/transfer-syntax.ts';
import { initCodecs, loadedCodecs } from './codecs.ts';
import type { DecodedFrame } from './decoded-frame.ts';
import { getFrame } from './get-frame.ts';
import { decodeRleFrame } from './rle-decode.ts';
import { interleave, maskToBitsStored, typedView, unpackBits } from './sample-layout.ts';

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
          ? `codecs for ${describeUid(parsed.transferSyntaxUid)} are not initialized: call initCodecs() or use decodeFrame()`
          : `no decoder for transfer syntax ${describeUid(parsed.transferSyntaxUid)}`,
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

/** Decodes frame `index` (0-based), loading the WASM codecs first when the transfer syntax needs them. */
export async function decodeFrame(parsed: ParsedInstance, index: number): Promise<DecodedFrame> {
  if (parsed.transferSyntaxUid in CODEC_BY_SYNTAX) await initCodecs();
  return decodeFrameSync(parsed, index);
}
