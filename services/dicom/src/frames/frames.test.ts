import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readWithDcmjs } from '../../test/dicom-tools.ts';
import { parseInstance } from '../parse/parse-instance.ts';
import { DicomParseError } from '../part10/errors.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { type DcmjsDict, el } from '../synthetic/dcmjs-dict.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { writePart10 } from '../synthetic/part10-writer.ts';
import { renderPhantomPlane } from '../synthetic/phantom.ts';
import { patientToPixel, type SeriesGeometry } from '../synthetic/series-options.ts';
import { initCodecs } from './codecs.ts';
import { decodeFrame, decodeFrameSync } from './decode-frame.ts';
import { getFrame } from './get-frame.ts';
import { renderFrame } from './render-frame.ts';
import { encodeRleFrame } from './rle-encode.ts';
import { windowLinear } from './voi-lut.ts';

const SIZE = 96;
const ct = makeCtSeries({ slices: 3, rows: SIZE, cols: SIZE, pixelSpacing: 4, seed: 'frames' });

/** The stored pixels a slice must have, computed from the phantom independently of any file. */
function expectedSlice(geometry: SeriesGeometry, slice: number): Uint16Array {
  const out = new Uint16Array(geometry.rows * geometry.columns);
  const iop = geometry.imageOrientationPatient;
  renderPhantomPlane(
    ct.phantom,
    {
      rows: geometry.rows,
      cols: geometry.columns,
      origin: geometry.positions[slice]!,
      rowDirection: iop.slice(0, 3),
      colDirection: iop.slice(3),
      pixelSpacing: geometry.pixelSpacing,
    },
    (hu) => hu + 1024,
    out,
  );
  return out;
}
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The smallest dataset an image parser accepts: UIDs and the image pixel description. */
function minimalImage(size: number, bitsAllocated: number, pixelRepresentation: number): DcmjsDict {
  return {
    '00080016': el('UI', '1.2.840.10008.5.1.4.1.1.7'),
    '00080018': el('UI', '1.2.3.4.5'),
    '0020000d': el('UI', '1.2.3'),
    '0020000e': el('UI', '1.2.3.4'),
    '00280002': el('US', 1),
    '00280004': el('CS', 'MONOCHROME2'),
    '00280010': el('US', size),
    '00280011': el('US', size),
    '00280100': el('US', bitsAllocated),
    '00280103': el('US', pixelRepresentation),
  };
}

function errorOf(run: () => unknown): DicomParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof DicomParseError) return error;
    throw error;
  }
  throw new Error('expected a DicomParseError');
}

describe('getFrame', () => {
  it('returns the written native frame as a view into the file', () => {
    const parsed = parseInstance(ct.files[1]!);
    const frame = getFrame(ct.files[1]!, parsed, 0);
    expect(frame.equals(bytesOf(expectedSlice(ct.geometry, 1)))).toBe(true);
    expect(frame.buffer).toBe(ct.files[1]!.buffer);
  });

  it('returns each RLE fragment of a multi-frame object as written', () => {
    const mf = makeMultiframe({ frames: 3, rows: 48, cols: 48, seed: 'f', transferSyntax: 'rle' });
    const native = makeMultiframe({ frames: 3, rows: 48, cols: 48, seed: 'f' });
    const parsed = parseInstance(mf.files[0]!);
    const nativeParsed = parseInstance(native.files[0]!);
    for (let k = 0; k < 3; k++) {
      const raw = getFrame(nativeParsed, k);
      const encoded = encodeRleFrame(raw, { rows: 48, columns: 48, bitsAllocated: 16 });
      expect(getFrame(parsed, k).equals(bytesOf(encoded))).toBe(true);
    }
  });

  it('rejects a frame index outside the object with FRAME_OUT_OF_RANGE', () => {
    const parsed = parseInstance(ct.files[0]!);
    expect(errorOf(() => getFrame(parsed, 1)).code).toBe('FRAME_OUT_OF_RANGE');
    expect(errorOf(() => getFrame(parsed, -1)).code).toBe('FRAME_OUT_OF_RANGE');
  });
});

describe('decodeFrame', () => {
  it.each(['explicit', 'implicit', 'deflated', 'rle'] as const)(
    'decodes %s to the written pixels',
    async (ts) => {
      const series = makeCtSeries({
        slices: 3,
        rows: SIZE,
        cols: SIZE,
        pixelSpacing: 4,
        seed: 'frames',
        transferSyntax: ts,
      });
      const decoded = await decodeFrame(parseInstance(series.files[2]!), 0);
      expect(decoded.pixels).toBeInstanceOf(Uint16Array);
      expect(bytesOf(decoded.pixels).equals(bytesOf(expectedSlice(ct.geometry, 2)))).toBe(true);
      expect([decoded.rescaleSlope, decoded.rescaleIntercept, decoded.windowCenter]).toEqual([1, -1024, 40]);
    },
  );

  it('clears bits above BitsStored and sign-extends signed 12-bit values', () => {
    const values = new Int16Array([0x7ff, -2048, -1, 5]);
    const dirty = new Uint16Array([0xf7ff, 0x0800 | 0x3000, 0x0fff | 0xa000, 0x0005 | 0x1000]);
    const file = writePart10({
      dataset: { ...minimalImage(2, 16, 1), '00280101': el('US', 12), '00280102': el('US', 11) },
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      pixels: { kind: 'native', data: new Uint8Array(dirty.buffer) },
    });
    expect([...decodeFrameSync(parseInstance(file), 0).pixels]).toEqual([...values]);
  });

  describe('JPEG family through the WASM codecs', () => {
    let codecs: Awaited<ReturnType<typeof initCodecs>>;
    beforeAll(async () => {
      codecs = await initCodecs();
    });

    /** A real Part-10 file: the CT slice's dataset with its frame compressed by the WASM encoder. */
    const encodedFile = (
      transferSyntaxUid: string,
      encode: 'encodeJpeg' | 'encodeJpegLs' | 'encodeJpeg2000' | 'encodeHtJpeg2000',
    ) => {
      const pixels = expectedSlice(ct.geometry, 1);
      const context = new codecs.Context({
        width: SIZE,
        height: SIZE,
        bitsAllocated: 16,
        bitsStored: 16,
        samplesPerPixel: 1,
        pixelRepresentation: 0,
        planarConfiguration: 0,
        photometricInterpretation: 'MONOCHROME2',
        decodedBuffer: new Uint8Array(pixels.buffer),
      });
      const encoded = new Uint8Array(
        codecs.NativeCodecs[encode](context, { lossy: false }).getEncodedBuffer()!,
      );
      const { _dict: dataset } = readWithDcmjs(ct.files[1]!) as { _dict: DcmjsDict };
      delete dataset['7FE00010'];
      const file = writePart10({
        dataset,
        sopClassUid: ct.sopClassUid,
        sopInstanceUid: ct.sopInstanceUids[1]!,
        transferSyntaxUid,
        pixels: { kind: 'encapsulated', frames: [encoded] },
      });
      return { pixels, encoded, file };
    };

    it.each([
      [TransferSyntax.JPEGLosslessSV1, 'encodeJpeg'],
      [TransferSyntax.JPEGLSLossless, 'encodeJpegLs'],
      [TransferSyntax.JPEG2000Lossless, 'encodeJpeg2000'],
      [TransferSyntax.HTJ2KLossless, 'encodeHtJpeg2000'],
    ] as const)('decodes %s losslessly', async (uid, encode) => {
      const { pixels, encoded, file } = encodedFile(uid, encode);
      const parsed = parseInstance(file);
      expect(parsed.transferSyntaxUid).toBe(uid);
      // Fragments are padded to even length, so the stored frame may carry one trailing zero byte.
      const stored = getFrame(parsed, 0);
      expect(stored.length - encoded.length).toBe(encoded.length % 2);
      expect(stored.subarray(0, encoded.length).equals(bytesOf(encoded))).toBe(true);
      const decoded = await decodeFrame(parsed, 0);
      expect(bytesOf(decoded.pixels).equals(bytesOf(pixels))).toBe(true);
    });
  });

  it('decodes 8-bit baseline JPEG (lossy) close to the original', async () => {
    const codecs = await initCodecs();
    const original = new Uint8Array(64 * 64).map((_, i) => (i % 64) * 4);
    const context = new codecs.Context({
      width: 64,
      height: 64,
      bitsAllocated: 8,
      bitsStored: 8,
      samplesPerPixel: 1,
      pixelRepresentation: 0,
      planarConfiguration: 0,
      photometricInterpretation: 'MONOCHROME2',
      decodedBuffer: original,
    });
    const encoded = new Uint8Array(
      codecs.NativeCodecs.encodeJpeg(context, { lossy: true, quality: 95 }).getEncodedBuffer()!,
    );
    const file = writePart10({
      dataset: {
        ...minimalImage(64, 8, 0),
        '00280101': el('US', 8),
        '00280102': el('US', 7),
      },
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit,
      pixels: { kind: 'encapsulated', frames: [encoded] },
    });
    const decoded = await decodeFrame(parseInstance(file), 0);
    expect(decoded.pixels).toBeInstanceOf(Uint8Array);
    const worst = Math.max(...[...decoded.pixels].map((v, i) => Math.abs(v - original[i]!)));
    expect(worst).toBeLessThanOrEqual(8);
  });

  it('reports a transfer syntax without decoder as UNSUPPORTED_TRANSFER_SYNTAX', async () => {
    const file = writePart10({
      dataset: minimalImage(2, 8, 0),
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: '1.2.840.10008.1.2.4.100',
      pixels: { kind: 'encapsulated', frames: [new Uint8Array([0, 0, 1, 0xb3])] },
    });
    await expect(decodeFrame(parseInstance(file), 0)).rejects.toMatchObject({
      code: 'UNSUPPORTED_TRANSFER_SYNTAX',
    });
  });
});

describe('renderFrame', () => {
  const slice = 1;
  const parsed = parseInstance(ct.files[slice]!);
  const decoded = decodeFrameSync(parsed, 0);
  const lesion = ct.phantom.shapes.find((s) => s.name === 'lesion')!;
  const spine = ct.phantom.shapes.find((s) => s.name === 'spine')!;
  const pixelOf = (point: readonly number[]) =>
    patientToPixel(ct.geometry, slice, [point[0]!, point[1]!, ct.geometry.positions[slice]![2]]).map(
      Math.round,
    ) as [number, number];
  const points = {
    air: [0, 0] as [number, number],
    body: pixelOf([0, -100]),
    spine: pixelOf(spine.center),
    lesion: pixelOf(lesion.center),
  };
  const grey = (png: Buffer, [row, column]: [number, number]) =>
    PNG.sync.read(png).data[(row * SIZE + column) * 4]!;

  it('applies rescale and the file window (40/400) at known pixels', () => {
    const png = renderFrame(decoded);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(grey(png, points.air)).toBe(0);
    expect(grey(png, points.spine)).toBe(255);
    expect(grey(png, points.body)).toBe(windowLinear(40, 40, 400));
    expect(grey(png, points.lesion)).toBe(windowLinear(150, 40, 400));
    expect(windowLinear(150, 40, 400)).toBeGreaterThan(windowLinear(40, 40, 400));
  });

  it('uses an explicit window and inversion when given', () => {
    const png = renderFrame(decoded, { windowCenter: -600, windowWidth: 1500, invert: true });
    expect(grey(png, points.air)).toBe(255 - windowLinear(-1000, -600, 1500));
    expect(grey(png, points.lesion)).toBe(255 - windowLinear(150, -600, 1500));
  });

  it('writes a JPEG whose grey levels are close to the PNG', () => {
    const image = jpeg.decode(renderFrame(decoded, { format: 'jpeg', quality: 95 }));
    const at = ([row, column]: [number, number]) => image.data[(row * SIZE + column) * 4]!;
    expect(image.width).toBe(SIZE);
    expect(Math.abs(at(points.lesion) - windowLinear(150, 40, 400))).toBeLessThanOrEqual(6);
    expect(at(points.air)).toBeLessThanOrEqual(6);
  });
});

describe('colour frames', () => {
  const rgbFile = (planar: 0 | 1) => {
    // 2×1 image, pixels (10,20,30) and (40,50,60), stored interleaved (RGBRGB) or by plane (RR GG BB).
    const data = planar === 0 ? [10, 20, 30, 40, 50, 60] : [10, 40, 20, 50, 30, 60];
    return writePart10({
      dataset: {
        ...minimalImage(1, 8, 0),
        '00280002': el('US', 3),
        '00280004': el('CS', 'RGB'),
        '00280006': el('US', planar),
        '00280011': el('US', 2),
      },
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      pixels: { kind: 'native', data: new Uint8Array(data), vr: 'OB' },
    });
  };

  it('decodes planar RGB to interleaved and renders the colours', () => {
    const interleaved = decodeFrameSync(parseInstance(rgbFile(0)), 0);
    const planar = decodeFrameSync(parseInstance(rgbFile(1)), 0);
    expect([...interleaved.pixels]).toEqual([10, 20, 30, 40, 50, 60]);
    expect([...planar.pixels]).toEqual([10, 20, 30, 40, 50, 60]);
    const png = PNG.sync.read(renderFrame(planar));
    expect([...png.data.subarray(0, 8)]).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
  });
});
