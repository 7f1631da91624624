import { DicomParseError } from '../part10/errors.ts';

/**
 * DICOM RLE Lossless decoder (PS3.5 Annex G): reassembles byte-plane segments (most significant first) into
 * little-endian interleaved pixels. Corrupt input raises a typed error, never a partial image.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  opts: { rows: number; columns: number; bitsAllocated: number; samplesPerPixel?: number },
): Uint8Array {
  const samples = opts.samplesPerPixel ?? 1;
  const bytesPerSample = opts.bitsAllocated / 8;
  const pixelCount = opts.rows * opts.columns;
  if (frame.length < 64)
    throw new DicomParseError('TRUNCATED', 'RLE frame is shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segmentCount = view.getUint32(0, true);
  if (segmentCount !== samples * bytesPerSample) {
    throw new DicomParseError(
      'BAD_PIXEL_DATA',
      `RLE frame has ${segmentCount} segments, expected ${samples * bytesPerSample}`,
    );
  }
  const out = new Uint8Array(pixelCount * samples * bytesPerSample);
  const stride = samples * bytesPerSample;
  for (let seg = 0; seg < segmentCount; seg++) {
    const start = view.getUint32(4 + 4 * seg, true);
    const end = seg + 1 < segmentCount ? view.getUint32(8 + 4 * seg, true) : frame.length;
    if (start < 64 || end > frame.length || start > end) {
      throw new DicomParseError('BAD_PIXEL_DATA', 'RLE segment offset is outside the frame');
    }
    const sample = Math.floor(seg / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (seg % bytesPerSample);
    let outIndex = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixelCount) {
      const n = frame[i++]!;
      if (n < 128) {
        const count = Math.min(n + 1, pixelCount - written, end - i);
        for (let k = 0; k < count; k++) {
          out[outIndex] = frame[i + k]!;
          outIndex += stride;
        }
        i += n + 1;
        written += count;
      } else if (n > 128) {
        const count = Math.min(257 - n, pixelCount - written);
        const value = frame[i++]!;
        for (let k = 0; k < count; k++) {
          out[outIndex] = value;
          outIndex += stride;
        }
        written += count;
      }
    }
    if (written < pixelCount)
      throw new DicomParseError('BAD_PIXEL_DATA', 'RLE segment ends before the frame is full');
  }
  return out;
}
