import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, readWithDcmjs, runOnFile } from '../../test/dicom-tools.ts';
import { decodeRleFrame } from '../frames/rle-decode.ts';
import { makeMultiframe } from './multiframe.ts';

describe('makeMultiframe', () => {
  const native = makeMultiframe({ frames: 4, rows: 64, cols: 64, seed: 'mf' });
  const rle = makeMultiframe({ frames: 4, rows: 64, cols: 64, seed: 'mf', transferSyntax: 'rle' });

  it('writes one multi-frame object with per-frame positions that dciodvfy accepts', () => {
    const parsed = readWithDcmjs(native.files[0]!);
    expect(parsed.NumberOfFrames).toBe(4);
    const perFrame = parsed.PerFrameFunctionalGroupsSequence as Array<Record<string, unknown>>;
    expect(perFrame).toHaveLength(4);
    const position = (perFrame[2]!.PlanePositionSequence as Array<Record<string, unknown>>)[0]!;
    expect((position.ImagePositionPatient as number[])[2]).toBeCloseTo(-5, 6);
    expect(dciodvfyErrors(native.files[0]!)).toEqual([]);
    expect(dciodvfyErrors(rle.files[0]!)).toEqual([]);
  });

  it('writes RLE with a Basic Offset Table and one fragment per frame that decode to the native frames', () => {
    const dump = runOnFile('dcmdump', rle.files[0]!).output;
    // BOT item (4 frames × 4 bytes) followed by exactly four fragment items.
    expect(dump).toMatch(/\(fffe,e000\) pi [^\n]*#\s+16, 1 Item/);
    expect(dump.match(/\(fffe,e000\) pi/g)).toHaveLength(5);
    const frames = readWithDcmjs(rle.files[0]!).PixelData as ArrayBuffer[];
    const nativeBytes = new Uint8Array((readWithDcmjs(native.files[0]!).PixelData as ArrayBuffer[])[0]!);
    expect(frames).toHaveLength(4);
    frames.forEach((frame, k) => {
      const decoded = decodeRleFrame(new Uint8Array(frame), { rows: 64, columns: 64, bitsAllocated: 16 });
      expect(Buffer.from(decoded).equals(Buffer.from(nativeBytes.subarray(k * 8192, (k + 1) * 8192)))).toBe(
        true,
      );
    });
  });
});
