import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, dcmdumpProblems } from '../../test/dicom-tools.ts';
import { parseInstance } from '../parse/parse-instance.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { decodeFrame } from './decode-frame.ts';
import { TRANSCODE_TARGETS, transcodeInstance } from './transcode.ts';

const source = makeMultiframe({ frames: 2, rows: 48, cols: 48, seed: 'transcode' }).files[0]!;
const pixels = async (file: Buffer, frame: number) => {
  const decoded = await decodeFrame(parseInstance(file), frame);
  return Buffer.from(decoded.pixels.buffer, decoded.pixels.byteOffset, decoded.pixels.byteLength);
};

describe('transcodeInstance', () => {
  it.each(TRANSCODE_TARGETS)(
    'rewrites a multi-frame object as %s with identical pixels and attributes',
    async (uid) => {
      const out = await transcodeInstance(source, uid);
      const parsed = parseInstance(out);
      const original = parseInstance(source);
      expect(parsed.transferSyntaxUid).toBe(uid);
      expect(parsed.patientName).toBe(original.patientName);
      expect(parsed.framePositions).toEqual(original.framePositions);
      for (let k = 0; k < 2; k++) expect((await pixels(out, k)).equals(await pixels(source, k))).toBe(true);
      expect(dcmdumpProblems(out)).toEqual([]);
    },
  );

  it('keeps a transcoded object valid for its IOD', async () => {
    expect(dciodvfyErrors(await transcodeInstance(source, TransferSyntax.JPEG2000Lossless))).toEqual([]);
  });

  it('refuses lossy targets', async () => {
    await expect(transcodeInstance(source, TransferSyntax.JPEGBaseline8Bit)).rejects.toMatchObject({
      code: 'UNSUPPORTED_TRANSFER_SYNTAX',
    });
  });
});
