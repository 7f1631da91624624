import { parseInstance } from '../parse/parse-instance.ts';
import { DicomParseError, describeUid } from '../part10/errors.ts';
import { TransferSyntax, transferSyntaxTraits } from '../part10/transfer-syntax.ts';
import type { DcmjsDict } from '../synthetic/dcmjs-dict.ts';
import { dcmjs } from '../synthetic/dcmjs-module.ts';
import { type PixelPayload, writePart10 } from '../synthetic/part10-writer.ts';
import { initCodecs } from './codecs.ts';
import { decodeFrame } from './decode-frame.ts';
import type { DecodedFrame } from './decoded-frame.ts';
import { encodeRleFrame } from './rle-encode.ts';

type Encoder = 'encodeJpeg' | 'encodeJpegLs' | 'encodeJpeg2000' | 'encodeHtJpeg2000';
/** Lossless targets only: transcoding must never silently lose information. */
const LOSSLESS_ENCODERS: Record<string, Encoder> = {
  [TransferSyntax.JPEGLosslessSV1]: 'encodeJpeg',
  [TransferSyntax.JPEGLSLossless]: 'encodeJpegLs',
  [TransferSyntax.JPEG2000Lossless]: 'encodeJpeg2000',
  [TransferSyntax.HTJ2KLossless]: 'encodeHtJpeg2000',
};

export const TRANSCODE_TARGETS = [
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.RLELossless,
  ...Object.keys(LOSSLESS_ENCODERS),
];

const bytesOf = (frame: DecodedFrame) =>
  new Uint8Array(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength);

async function encodeFrames(frames: DecodedFrame[], target: string): Promise<PixelPayload> {
  const first = frames[0]!;
  const traits = transferSyntaxTraits(target)!;
  if (!traits.encapsulated) {
    const all = new Uint8Array(frames.reduce((n, f) => n + f.pixels.byteLength, 0));
    let at = 0;
    for (const frame of frames) {
      all.set(bytesOf(frame), at);
      at += frame.pixels.byteLength;
    }
    return { kind: 'native', data: all, vr: first.bitsAllocated > 8 ? 'OW' : 'OB' };
  }
  if (target === TransferSyntax.RLELossless) {
    return { kind: 'encapsulated', frames: frames.map((f) => encodeRleFrame(bytesOf(f), f)) };
  }
  const codecs = await initCodecs();
  const encoder = LOSSLESS_ENCODERS[target]!;
  return {
    kind: 'encapsulated',
    frames: frames.map((f) => {
      const context = new codecs.Context({
        width: f.columns,
        height: f.rows,
        bitsAllocated: f.bitsAllocated,
        bitsStored: f.bitsStored,
        samplesPerPixel: f.samplesPerPixel,
        pixelRepresentation: f.pixelRepresentation,
        planarConfiguration: 0,
        photometricInterpretation: f.photometricInterpretation,
        decodedBuffer: new Uint8Array(bytesOf(f)),
      });
      // Copy out of WASM memory before the next frame reuses it.
      return new Uint8Array(codecs.NativeCodecs[encoder](context, { lossy: false }).getEncodedBuffer()!);
    }),
  };
}

/**
 * Rewrites an instance in another transfer syntax (native, deflated, RLE, or lossless JPEG / JPEG-LS /
 * JPEG 2000 / HTJ2K), keeping every other attribute. Used to serve frames a client can decode and to make
 * compressed test data; lossy targets are refused.
 */
export async function transcodeInstance(file: Buffer, transferSyntaxUid: string): Promise<Buffer> {
  if (!TRANSCODE_TARGETS.includes(transferSyntaxUid)) {
    throw new DicomParseError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `cannot transcode to ${describeUid(transferSyntaxUid)}`,
    );
  }
  const parsed = parseInstance(file);
  const frames: DecodedFrame[] = [];
  for (let i = 0; i < (parsed.pixelData?.frames.length ?? 0); i++) frames.push(await decodeFrame(parsed, i));
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const dataset = dcmjs.data.DicomMessage.readFile(ab).dict as DcmjsDict;
  delete dataset['7FE00010'];
  const first = frames[0];
  if (first) {
    // Decoded frames are interleaved, and colour JPEG output is RGB: the header must say so.
    dataset['00280004'] = { vr: 'CS', Value: [first.photometricInterpretation] };
    if (first.samplesPerPixel > 1) dataset['00280006'] = { vr: 'US', Value: [0] };
  }
  return writePart10({
    dataset,
    sopClassUid: parsed.sopClassUid,
    sopInstanceUid: parsed.sopInstanceUid,
    transferSyntaxUid,
    pixels: first ? await encodeFrames(frames, transferSyntaxUid) : undefined,
  });
}
