import { describe, expect, it } from 'vitest';
import { relabelTransferSyntax, runOnFile } from '../../test/dicom-tools.ts';
import { initCodecs } from '../frames/codecs.ts';
import { decodeRleFrame } from '../frames/rle-decode.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { readPart10 } from './binary/read-part10.ts';
import { writePart10 } from './binary/write-part10.ts';
import { burnedInRisk } from './burned-in.ts';
import { deidentify } from './deidentify.ts';
import type { MaskTemplate } from './deidentify-options.ts';
import { BurnedInRiskError, PixelMaskingUnsupportedError } from './errors.ts';

const secret = 'burned-in-secret-0123456789';

describe('burnedInRisk', () => {
  it.each([
    [{ burnedInAnnotation: 'YES', modality: 'CT' }, 'burned-in-annotation-yes'],
    [{ modality: 'US' }, 'ultrasound'],
    [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.7' }, 'secondary-capture'],
    [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.7.3' }, 'secondary-capture'],
    [{ modality: 'XA' }, 'xa-rf'],
    [{ modality: 'DX' }, 'projection-radiograph-without-burned-in-no'],
    [{ modality: 'OT', imageType: 'DERIVED\\SECONDARY\\SCREEN SHOT' }, 'screen-capture'],
  ])('flags %o', (attrs, reason) => {
    const r = burnedInRisk(attrs);
    expect(r.risk).toBe(true);
    expect(r.reasons).toContain(reason);
  });

  it('does not flag CT/MR, nor DX that states Burned In Annotation NO', () => {
    expect(burnedInRisk({ modality: 'CT', sopClassUid: '1.2.840.10008.5.1.4.1.1.2' }).risk).toBe(false);
    expect(burnedInRisk({ modality: 'MR', burnedInAnnotation: 'NO' }).risk).toBe(false);
    expect(burnedInRisk({ modality: 'DX', burnedInAnnotation: 'NO' }).risk).toBe(false);
  });
});

describe('pixel masking', () => {
  const rect = { x: 0, y: 0, width: 8, height: 4 };
  const template = (rows: number, columns: number): MaskTemplate => ({
    name: 'top-left label',
    manufacturer: 'Annex Synthetic Imaging',
    rows,
    columns,
    rects: [rect],
  });

  it('reports the risk and can refuse an unmasked secondary capture', () => {
    const sc = makeMultiframe({ frames: 2, rows: 32, cols: 32, seed: 'mask-sc' });
    const out = deidentify(sc.files[0]!, { profile: 'annotator-view', secret });
    expect(out.report.burnedIn).toMatchObject({ risk: true, masked: false });
    expect(out.report.burnedIn.reasons).toContain('secondary-capture');
    expect(() =>
      deidentify(sc.files[0]!, { profile: 'annotator-view', secret, refuseBurnedIn: true }),
    ).toThrow(BurnedInRiskError);
  });

  it('blanks the template rectangles in every native frame and marks Clean Pixel Data', () => {
    const sc = makeMultiframe({ frames: 2, rows: 32, cols: 32, seed: 'mask-sc' });
    const out = deidentify(sc.files[0]!, {
      profile: 'annotator-view',
      secret,
      refuseBurnedIn: true,
      pixelMasking: { templates: [template(32, 32)] },
    });
    expect(out.report.burnedIn.masked).toBe(true);
    const before = readPart10(sc.files[0]!).dataset.find((e) => e.tag === 0x7fe00010)!.value!;
    const after = readPart10(out.buffer).dataset.find((e) => e.tag === 0x7fe00010)!.value!;
    const px = (b: Uint8Array, f: number, y: number, x: number) => {
      const at = f * 32 * 32 * 2 + (y * 32 + x) * 2;
      return b[at]! | (b[at + 1]! << 8);
    };
    for (const f of [0, 1]) {
      expect(px(after, f, 2, 3)).toBe(0);
      expect(px(after, f, 20, 20)).toBe(px(before, f, 20, 20));
    }
    const codes = readPart10(out.buffer).dataset.find((e) => e.tag === 0x00120064)!.items!;
    expect(codes.map((item) => Buffer.from(item[0]!.value!).toString().trim())).toContain('113101');
    expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
  });

  it.each([
    ['MONOCHROME1, unsigned, 12 of 16 bits', 'MONOCHROME1', 0, 12, 0x0fff],
    ['MONOCHROME2, signed, 16 bits', 'MONOCHROME2', 1, 16, 0x8000],
    ['MONOCHROME2, signed, 12 of 16 bits (sign-extended)', 'MONOCHROME2', 1, 12, 0xf800],
    ['MONOCHROME2, unsigned', 'MONOCHROME2', 0, 16, 0],
  ])('fills the rectangle with the value that displays black: %s', (_name, pi, signed, bitsStored, black) => {
    const sc = makeMultiframe({ frames: 1, rows: 32, cols: 32, seed: 'mask-black' });
    const parsed = readPart10(sc.files[0]!);
    const us = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
    const replaced: Record<number, Uint8Array> = {
      2621444: Buffer.from(pi.padEnd(12, ' ')),
      2621697: us(bitsStored),
      2621698: us(bitsStored - 1),
      2621699: us(signed),
    };
    const input = Buffer.concat(
      writePart10({
        ...parsed,
        dataset: parsed.dataset.map((e) => (replaced[e.tag] ? { ...e, value: replaced[e.tag] } : e)),
      }),
    );
    const out = deidentify(input, {
      profile: 'annotator-view',
      secret,
      pixelMasking: { templates: [template(32, 32)] },
    });
    const before = readPart10(input).dataset.find((e) => e.tag === 0x7fe00010)!.value!;
    const after = readPart10(out.buffer).dataset.find((e) => e.tag === 0x7fe00010)!.value!;
    const px = (b: Uint8Array, y: number, x: number) =>
      b[(y * 32 + x) * 2]! | (b[(y * 32 + x) * 2 + 1]! << 8);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const inside = x < rect.width && y < rect.height;
        expect(px(after, y, x), `(${x},${y})`).toBe(inside ? black : px(before, y, x));
      }
    }
  });

  it('masks RLE pixel data by decoding and re-encoding it losslessly', () => {
    const sc = makeMultiframe({ frames: 2, rows: 32, cols: 32, seed: 'mask-rle', transferSyntax: 'rle' });
    const out = deidentify(sc.files[0]!, {
      profile: 'annotator-view',
      secret,
      pixelMasking: { templates: [template(32, 32)] },
    });
    expect(out.report.burnedIn.masked).toBe(true);
    const enc = readPart10(out.buffer).dataset.find((e) => e.tag === 0x7fe00010)!.encapsulated!;
    // Items: empty offset table, then one fragment per frame.
    const view = new DataView(enc.buffer, enc.byteOffset, enc.byteLength);
    const botLength = view.getUint32(4, true);
    const frameLength = view.getUint32(8 + botLength + 4, true);
    const frame = enc.subarray(16 + botLength, 16 + botLength + frameLength);
    const pixels = decodeRleFrame(frame, { rows: 32, columns: 32, bitsAllocated: 16 });
    expect(pixels[(2 * 32 + 3) * 2]).toBe(0);
    expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
  });

  it('refuses with a typed reason when a template matches compressed data it cannot re-encode', () => {
    const sc = makeMultiframe({ frames: 1, rows: 32, cols: 32, seed: 'mask-jpeg', transferSyntax: 'rle' });
    const jpeg = relabelTransferSyntax(sc.files[0]!, '1.2.840.10008.1.2.4.50');
    const run = () =>
      deidentify(jpeg, {
        profile: 'annotator-view',
        secret,
        pixelMasking: { templates: [template(32, 32)] },
      });
    expect(run).toThrow(PixelMaskingUnsupportedError);
    expect(run).toThrow(/lossy/);
    // No template for this matrix size: nothing to mask, no refusal; the risk stays in the report.
    const other = deidentify(jpeg, {
      profile: 'annotator-view',
      secret,
      pixelMasking: { templates: [template(64, 64)] },
    });
    expect(other.report.burnedIn).toMatchObject({ risk: true, masked: false });
  });

  it('masks JPEG-LS lossless pixel data by decoding and re-encoding it losslessly (WASM codecs)', async () => {
    const codecs = await initCodecs();
    const sc = makeMultiframe({ frames: 2, rows: 32, cols: 32, seed: 'mask-jls' });
    const p = readPart10(sc.files[0]!);
    const image = {
      width: 32,
      height: 32,
      bitsAllocated: 16,
      bitsStored: 16,
      samplesPerPixel: 1,
      pixelRepresentation: 0,
      planarConfiguration: 0,
      photometricInterpretation: 'MONOCHROME2',
    };
    const native = p.dataset.find((e) => e.tag === 0x7fe00010)!.value!;
    const frameBytes = 32 * 32 * 2;
    const encodeFrame = (i: number) => {
      const ctx = new codecs.Context({
        ...image,
        decodedBuffer: Uint8Array.from(native.subarray(i * frameBytes, (i + 1) * frameBytes)),
      });
      return new Uint8Array(codecs.NativeCodecs.encodeJpegLs(ctx, { lossy: false }).getEncodedBuffer()!);
    };
    const items = [new Uint8Array(0), encodeFrame(0), encodeFrame(1)];
    const encapsulated = Buffer.concat([
      ...items.flatMap((item) => {
        const padded = Buffer.concat([item, Buffer.alloc(item.length % 2)]);
        const header = Buffer.alloc(8);
        header.writeUInt32LE(0xe000fffe, 0);
        header.writeUInt32LE(padded.length, 4);
        return [header, padded];
      }),
      Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    const jls = Buffer.concat(
      writePart10({
        ...p,
        transferSyntaxUid: '1.2.840.10008.1.2.4.80',
        meta: p.meta.map((e) =>
          e.tag === 0x00020010 ? { ...e, value: Buffer.from('1.2.840.10008.1.2.4.80') } : e,
        ),
        dataset: p.dataset.map((e) => (e.tag === 0x7fe00010 ? { tag: e.tag, vr: 'OB', encapsulated } : e)),
      }),
    );
    const out = deidentify(jls, {
      profile: 'annotator-view',
      secret,
      pixelMasking: { templates: [template(32, 32)] },
    });
    expect(out.report.burnedIn.masked).toBe(true);
    expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
    const enc = readPart10(out.buffer).dataset.find((e) => e.tag === 0x7fe00010)!.encapsulated!;
    const view = new DataView(enc.buffer, enc.byteOffset, enc.byteLength);
    const firstLength = view.getUint32(8 + view.getUint32(4, true) + 4, true);
    const first = enc.subarray(16, 16 + firstLength);
    const decoded = codecs.NativeCodecs.decodeJpegLs(
      new codecs.Context({ ...image, encodedBuffer: new Uint8Array(first) }),
    );
    const pixels = new Uint16Array(new Uint8Array(decoded.getDecodedBuffer()!).buffer);
    const original = new Uint16Array(Uint8Array.from(native.subarray(0, frameBytes)).buffer);
    expect(pixels[2 * 32 + 3]).toBe(0);
    expect(pixels[20 * 32 + 20]).toBe(original[20 * 32 + 20]); // outside the mask: unchanged, lossless
  });

  it('does not mask images without a burned-in risk', () => {
    const ct = makeCtSeries({ slices: 1, rows: 32, cols: 32, seed: 'mask-ct' });
    const out = deidentify(ct.files[0]!, {
      profile: 'annotator-view',
      secret,
      pixelMasking: { templates: [template(32, 32)] },
    });
    expect(out.report.burnedIn.masked).toBe(false);
    expect(out.report.pixelDataPassedThrough).toBe(true);
  });
});
