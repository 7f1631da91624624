import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { convertWith, relabelTransferSyntax } from '../../test/dicom-tools.ts';
import { toDicomJson } from '../parse/dicom-json.ts';
import { parseInstance } from '../parse/parse-instance.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { seededRandom } from '../synthetic/random.ts';
import { decodeFrame } from './decode-frame.ts';
import { getFrame } from './get-frame.ts';
import { renderFrame } from './render-frame.ts';
import { transcodeInstance } from './transcode.ts';

// dcmtk is an independent reader and writer: files it writes must parse and decode to our pixels, and our
// compressed files must decode in dcmtk to the same pixels.
const SIZE = 64;
const ct = makeCtSeries({ slices: 2, rows: SIZE, cols: SIZE, pixelSpacing: 6, seed: 'dcmtk' });
const pixelsOf = async (file: Buffer, frame = 0) => {
  const decoded = await decodeFrame(parseInstance(file), frame);
  return Buffer.from(decoded.pixels.buffer, decoded.pixels.byteOffset, decoded.pixels.byteLength);
};

/** A multi-frame object whose pixels are 12-bit noise, so compressed frames span several 1 kB fragments. */
function noisyMultiframe(): Buffer {
  const file = Buffer.from(makeMultiframe({ frames: 3, rows: 96, cols: 96, seed: 'dcmtk' }).files[0]!);
  const { offset, length } = parseInstance(file).pixelData!;
  const rng = seededRandom('noise');
  for (let i = offset; i < offset + length; i += 2) file.writeUInt16LE(rng.int(0, 4095), i);
  return file;
}

describe('interoperability with dcmtk', () => {
  it.each([
    ['explicit VR big endian', '+tb', TransferSyntax.ExplicitVRBigEndian],
    ['implicit VR little endian', '+ti', TransferSyntax.ImplicitVRLittleEndian],
    ['deflated explicit VR little endian', '+td', TransferSyntax.DeflatedExplicitVRLittleEndian],
  ])('reads %s written by dcmconv', async (_name, flag, uid) => {
    const converted = convertWith('dcmconv', [flag], ct.files[1]!);
    const parsed = parseInstance(converted);
    expect(parsed.transferSyntaxUid).toBe(uid);
    expect(parsed.patientId).toBe(ct.study.patient.id);
    expect(parsed.imagePositionPatient).toEqual(parseInstance(ct.files[1]!).imagePositionPatient);
    expect((await pixelsOf(converted)).equals(await pixelsOf(ct.files[1]!))).toBe(true);
    // Byte order and VR encoding must not show in the JSON model (implicit VR only loses private VRs).
    const json = toDicomJson(converted);
    const reference = toDicomJson(ct.files[1]!);
    const isPrivate = (tag: string) => Number.parseInt(tag.slice(3, 4), 16) % 2 === 1;
    expect(Object.keys(json)).toEqual(Object.keys(reference));
    for (const tag of Object.keys(reference).filter((t) => !isPrivate(t)))
      expect(json[tag]).toEqual(reference[tag]);
  });

  it('reports big endian data labelled little endian (and the reverse) as BAD_TRANSFER_SYNTAX', () => {
    const bigEndian = convertWith('dcmconv', ['+tb'], ct.files[1]!);
    const asLittle = relabelTransferSyntax(bigEndian, TransferSyntax.ExplicitVRLittleEndian);
    const asBig = relabelTransferSyntax(ct.files[1]!, TransferSyntax.ExplicitVRBigEndian);
    for (const file of [asLittle, asBig]) {
      expect(() => parseInstance(file)).toThrow(expect.objectContaining({ code: 'BAD_TRANSFER_SYNTAX' }));
    }
  });

  it.each([
    ['RLE (dcmcrle)', 'dcmcrle', [] as string[], TransferSyntax.RLELossless],
    ['JPEG lossless SV1 (dcmcjpeg)', 'dcmcjpeg', ['+e1'], TransferSyntax.JPEGLosslessSV1],
    ['JPEG-LS lossless (dcmcjpls)', 'dcmcjpls', ['+el'], TransferSyntax.JPEGLSLossless],
  ])('decodes %s compressed by dcmtk to the original pixels', async (_name, tool, args, uid) => {
    const mf = makeMultiframe({ frames: 3, rows: SIZE, cols: SIZE, seed: 'dcmtk' });
    const compressed = convertWith(tool, args, mf.files[0]!);
    const parsed = parseInstance(compressed);
    expect(parsed.transferSyntaxUid).toBe(uid);
    expect(parsed.pixelData!.frames).toHaveLength(3);
    for (let k = 0; k < 3; k++)
      expect((await pixelsOf(compressed, k)).equals(await pixelsOf(mf.files[0]!, k))).toBe(true);
  });

  it.each([
    ['several fragments per frame with an offset table', ['+el', '+fs', '1']],
    ['several fragments per frame and an empty offset table', ['+el', '+fs', '1', '-ot']],
    ['one fragment per frame and an empty offset table', ['+el', '-ot']],
  ])('finds frames in JPEG-LS with %s', async (_name, args) => {
    const noisy = noisyMultiframe();
    const compressed = convertWith('dcmcjpls', args, noisy);
    const parsed = parseInstance(compressed);
    expect(parsed.pixelData!.frames).toHaveLength(3);
    if (args.includes('+fs')) expect(parsed.pixelData!.frames[0]!.fragments.length).toBeGreaterThan(1);
    for (let k = 0; k < 3; k++) {
      expect(getFrame(parsed, k).length).toBe(parsed.pixelData!.frames[k]!.length);
      expect((await pixelsOf(compressed, k)).equals(await pixelsOf(noisy, k))).toBe(true);
    }
  });

  it('writes RLE that dcmdrle decompresses to the same pixels', async () => {
    const rle = makeMultiframe({ frames: 3, rows: SIZE, cols: SIZE, seed: 'dcmtk', transferSyntax: 'rle' });
    const native = makeMultiframe({ frames: 3, rows: SIZE, cols: SIZE, seed: 'dcmtk' });
    const decompressed = convertWith('dcmdrle', [], rle.files[0]!);
    expect(parseInstance(decompressed).transferSyntaxUid).toBe(TransferSyntax.ExplicitVRLittleEndian);
    for (let k = 0; k < 3; k++)
      expect((await pixelsOf(decompressed, k)).equals(await pixelsOf(native.files[0]!, k))).toBe(true);
  });

  it.each([
    ['JPEG lossless SV1', TransferSyntax.JPEGLosslessSV1, 'dcmdjpeg'],
    ['JPEG-LS lossless', TransferSyntax.JPEGLSLossless, 'dcmdjpls'],
  ])('writes %s that dcmtk decompresses to the same pixels', async (_name, uid, tool) => {
    const native = makeMultiframe({ frames: 2, rows: SIZE, cols: SIZE, seed: 'dcmtk' }).files[0]!;
    const decompressed = convertWith(tool, [], await transcodeInstance(native, uid));
    for (let k = 0; k < 2; k++)
      expect((await pixelsOf(decompressed, k)).equals(await pixelsOf(native, k))).toBe(true);
  });

  it('renders the same grey levels as dcm2pnm for the same window', async () => {
    const pgm = convertWith('dcm2pnm', ['+Ww', '40', '400', '+op'], ct.files[1]!);
    // Binary PGM: "P5\n64 64\n255\n" then one byte per pixel.
    const header = pgm.toString('latin1', 0, 20).match(/^P5\s+(\d+)\s+(\d+)\s+255\s/)!;
    const theirs = pgm.subarray(header[0].length);
    const ours = PNG.sync.read(
      renderFrame(await decodeFrame(parseInstance(ct.files[1]!), 0), { windowCenter: 40, windowWidth: 400 }),
    );
    let worst = 0;
    for (let i = 0; i < SIZE * SIZE; i++) worst = Math.max(worst, Math.abs(ours.data[i * 4]! - theirs[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });
});
