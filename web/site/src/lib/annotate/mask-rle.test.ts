import { describe, expect, it } from 'vitest';
import { decodeRuns, encodeRuns, isEmpty } from './mask-rle.ts';

describe('mask run lengths', () => {
  it('encodes a frame starting with the zero run', () => {
    expect(encodeRuns([0, 0, 2, 2, 0, 2], 2)).toEqual([2, 2, 1, 1]);
    expect(encodeRuns([2, 0], 2)).toEqual([0, 1, 1]);
    expect(encodeRuns([0, 0, 0], 1)).toEqual([3]);
    expect(isEmpty(encodeRuns([0, 0, 0], 1))).toBe(true);
  });

  it('only counts the requested segment, so labelmaps with several labels split cleanly', () => {
    expect(encodeRuns([1, 2, 2, 1], 2)).toEqual([1, 2, 1]);
  });

  it('round-trips a random labelmap', () => {
    const px = Uint8Array.from({ length: 4096 }, (_, i) => ((i * 2654435761) >>> 28) % 3);
    const out = new Uint8Array(px.length);
    for (const seg of [1, 2]) decodeRuns(encodeRuns(px, seg), seg, out);
    expect(out).toEqual(px);
  });
});
