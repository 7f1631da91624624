import { loadedCodecs } from '../frames/codecs.ts';
import { PixelMaskingUnsupportedError } from './errors.ts';

export interface FrameImage {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
}

/** Decodes and re-encodes one frame of a lossless transfer syntax with the WASM codecs of `src/frames`. */
export interface LosslessCodec {
  decode(frame: Uint8Array, image: FrameImage): Uint8Array;
  encode(pixels: Uint8Array, image: FrameImage): Uint8Array;
}

type Pair = [
  'decodeJpeg' | 'decodeJpegLs' | 'decodeJpeg2000' | 'decodeHtJpeg2000',
  'encodeJpeg' | 'encodeJpegLs' | 'encodeJpeg2000' | 'encodeHtJpeg2000',
  Record<string, unknown>,
];

/** Lossless syntaxes that can be decoded and re-encoded without changing a pixel outside the masks. */
const LOSSLESS: Record<string, Pair> = {
  '1.2.840.10008.1.2.4.57': ['decodeJpeg', 'encodeJpeg', { lossy: false, predictor: 1 }],
  '1.2.840.10008.1.2.4.70': ['decodeJpeg', 'encodeJpeg', { lossy: false, predictor: 1 }],
  '1.2.840.10008.1.2.4.80': ['decodeJpegLs', 'encodeJpegLs', { lossy: false }],
  '1.2.840.10008.1.2.4.90': ['decodeJpeg2000', 'encodeJpeg2000', { lossy: false }],
  '1.2.840.10008.1.2.4.201': ['decodeHtJpeg2000', 'encodeHtJpeg2000', { lossy: false }],
};
const LOSSY = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.203',
]);

/** The codec for a compressed transfer syntax, or a typed refusal saying why there is none. */
export function losslessCodecFor(transferSyntaxUid: string): LosslessCodec {
  if (LOSSY.has(transferSyntaxUid)) {
    throw new PixelMaskingUnsupportedError(
      `transfer syntax ${transferSyntaxUid} is lossy: re-encoding it would lose image quality a second time`,
    );
  }
  const pair = LOSSLESS[transferSyntaxUid];
  if (!pair) throw new PixelMaskingUnsupportedError(`transfer syntax ${transferSyntaxUid} has no codec here`);
  const codecs = loadedCodecs();
  if (!codecs) {
    throw new PixelMaskingUnsupportedError(
      `the codecs for ${transferSyntaxUid} are not loaded: await initCodecs() once before masking`,
    );
  }
  const [decodeName, encodeName, parameters] = pair;
  const context = (image: FrameImage, buffers: { encodedBuffer?: Uint8Array; decodedBuffer?: Uint8Array }) =>
    new codecs.Context({
      width: image.columns,
      height: image.rows,
      bitsAllocated: image.bitsAllocated,
      bitsStored: image.bitsStored,
      samplesPerPixel: image.samplesPerPixel,
      pixelRepresentation: image.pixelRepresentation,
      planarConfiguration: 0,
      photometricInterpretation: image.photometricInterpretation,
      ...buffers,
    });
  return {
    decode(frame, image) {
      const out = codecs.NativeCodecs[decodeName](
        context(image, { encodedBuffer: new Uint8Array(frame) }),
      ).getDecodedBuffer();
      if (!out) throw new PixelMaskingUnsupportedError('a compressed frame could not be decoded');
      // The codec's output lives in WASM memory that the next call reuses: copy it out.
      return new Uint8Array(out);
    },
    encode(pixels, image) {
      const out = codecs.NativeCodecs[encodeName](
        context(image, { decodedBuffer: pixels }),
        parameters,
      ).getEncodedBuffer();
      if (!out) throw new PixelMaskingUnsupportedError('a masked frame could not be re-encoded');
      return new Uint8Array(out);
    },
  };
}
