import type { PixelDataInfo } from '@annex/dicom';
import { z } from 'zod';

/**
 * Instance.pixelData: where each frame's bytes lie in the stored object, so WADO-RS serves a frame
 * with one ranged read. `frames[n]` is a flat list of fragment spans `[offset, length, offset,
 * length, …]` (one span for native data; an encapsulated frame may have several fragments whose
 * concatenation is the frame). `ranged` is false for Deflated Explicit VR Little Endian, whose
 * offsets refer to the inflated dataset: the reader must fetch and inflate the whole object.
 */
export const pixelIndexSchema = z.object({
  v: z.literal(1),
  encapsulated: z.boolean(),
  ranged: z.boolean(),
  frames: z.array(z.array(z.number().int().nonnegative())),
});
export type PixelIndex = z.infer<typeof pixelIndexSchema>;

export function pixelIndexOf(info: PixelDataInfo, ranged: boolean): PixelIndex {
  return {
    v: 1,
    encapsulated: info.encapsulated,
    ranged,
    frames: info.frames.map((frame) => frame.fragments.flatMap((f) => [f.offset, f.length])),
  };
}

/** The fragment spans of frame `n` (0-based) as `{ offset, length }` pairs. */
export function frameSpans(index: PixelIndex, n: number): Array<{ offset: number; length: number }> {
  const flat = index.frames[n];
  if (!flat) return [];
  const spans: Array<{ offset: number; length: number }> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) spans.push({ offset: flat[i]!, length: flat[i + 1]! });
  return spans;
}
