import type { ParsedInstance } from '../parse/parse-instance.ts';
import { DicomParseError } from '../part10/errors.ts';

/**
 * The bytes of frame `index` (0-based; WADO-RS frame numbers are 1-based) in the stored transfer syntax: for
 * native data a view into the file, for encapsulated data the frame's fragment (a view) or its fragments
 * joined (the only case that copies). Deflated files are inflated once at parse time, so this is a view too.
 */
export function getFrame(parsed: ParsedInstance, index: number): Buffer;
export function getFrame(buf: Buffer, parsed: ParsedInstance, index: number): Buffer;
export function getFrame(a: Buffer | ParsedInstance, b: ParsedInstance | number, c?: number): Buffer {
  const parsed = (Buffer.isBuffer(a) ? b : a) as ParsedInstance;
  const index = (Buffer.isBuffer(a) ? c : b) as number;
  const pixelData = parsed.pixelData;
  if (!pixelData) throw new DicomParseError('FRAME_OUT_OF_RANGE', 'instance has no pixel data');
  const frame = pixelData.frames[index];
  if (!Number.isInteger(index) || !frame) {
    throw new DicomParseError(
      'FRAME_OUT_OF_RANGE',
      `frame index ${index} is outside 0..${pixelData.frames.length - 1}`,
    );
  }
  const source = parsed.context.source;
  if (frame.fragments.length === 1) return source.subarray(frame.offset, frame.offset + frame.length);
  return Buffer.concat(frame.fragments.map((f) => source.subarray(f.offset, f.offset + f.length)));
}
