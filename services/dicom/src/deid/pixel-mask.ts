import { decodeRleFrame } from '../frames/rle-decode.ts';
import { encodeRleFrame } from '../frames/rle-encode.ts';
import { ITEM, PIXEL_DATA, SEQUENCE_DELIMITER } from '../part10/constants.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import type { DElement } from './binary/element.ts';
import type { BurnedInRisk } from './burned-in.ts';
import type { MaskTemplate } from './deidentify-options.ts';
import { PixelMaskingUnsupportedError } from './errors.ts';
import { losslessCodecFor } from './pixel-codecs.ts';
import { decodeText } from './text-values.ts';

export interface MaskKey {
  manufacturer?: string;
  model?: string;
  rows: number;
  columns: number;
}

/** The first template whose matrix size matches and whose manufacturer/model (when given) match, case-insensitively. */
export function findMaskTemplate(templates: readonly MaskTemplate[], key: MaskKey): MaskTemplate | undefined {
  const eq = (want: string | undefined, got: string | undefined) =>
    want === undefined || (got !== undefined && want.trim().toUpperCase() === got.trim().toUpperCase());
  return templates.find(
    (t) =>
      t.rows === key.rows &&
      t.columns === key.columns &&
      eq(t.manufacturer, key.manufacturer) &&
      eq(t.model, key.model),
  );
}

/**
 * Blanks the template's rectangles in every frame of native (uncompressed), RLE or losslessly compressed JPEG
 * family pixel data (decoded and re-encoded losslessly, same transfer syntax), returning the new Pixel Data
 * element, or undefined when no template fits. Lossy pixel data is refused with a reason (re-encoding would
 * lose quality a second time), as is any syntax without a codec.
 */
export function maskPixelData(
  dataset: DElement[],
  transferSyntaxUid: string,
  templates: readonly MaskTemplate[],
  _risk: BurnedInRisk,
): DElement | undefined {
  const get = (tag: number) => dataset.find((e) => e.tag === tag);
  const us = (tag: number) => {
    const v = get(tag)?.value;
    return v && v.length >= 2 ? v[0]! | (v[1]! << 8) : undefined;
  };
  const str = (tag: number) => {
    const v = get(tag)?.value;
    return v ? decodeText(v, 'latin1') : undefined;
  };
  const rows = us(0x00280010);
  const columns = us(0x00280011);
  if (rows === undefined || columns === undefined) return undefined;
  const template = findMaskTemplate(templates, {
    manufacturer: str(0x00080070),
    model: str(0x00081090),
    rows,
    columns,
  });
  if (!template) return undefined;
  const pixel = get(PIXEL_DATA);
  if (!pixel) return undefined;
  const rle = transferSyntaxUid === TransferSyntax.RLELossless;
  const codec = pixel.encapsulated && !rle ? losslessCodecFor(transferSyntaxUid) : undefined;
  const bitsAllocated = us(0x00280100) ?? 16;
  if (bitsAllocated % 8 !== 0)
    throw new PixelMaskingUnsupportedError(`${bitsAllocated}-bit pixels are not supported`);
  const samples = us(0x00280002) ?? 1;
  // RLE frames decode to interleaved samples; native data follows Planar Configuration.
  const planar = rle ? 0 : (us(0x00280006) ?? 0);
  const frameCount = Number.parseInt(str(0x00280008) ?? '1', 10) || 1;
  const bytesPerSample = bitsAllocated / 8;
  const frameBytes = rows * columns * samples * bytesPerSample;
  const geometry = { rows, columns, bitsAllocated, samplesPerPixel: samples };
  let frames: Uint8Array[];
  const image = {
    ...geometry,
    bitsStored: us(0x00280101) ?? bitsAllocated,
    pixelRepresentation: us(0x00280103) ?? 0,
    photometricInterpretation: str(0x00280004) ?? 'MONOCHROME2',
  };
  if (rle || codec) {
    const encoded = encapsulatedFrames(pixel.encapsulated ?? new Uint8Array(0), frameCount);
    frames = encoded.map((f) => (codec ? codec.decode(f, image) : decodeRleFrame(f, geometry)));
  } else {
    const src = pixel.value ?? new Uint8Array(0);
    if (src.length < frameBytes * frameCount) {
      throw new PixelMaskingUnsupportedError('pixel data is shorter than its attributes say');
    }
    const copy = Uint8Array.from(src);
    frames = Array.from({ length: frameCount }, (_, f) =>
      copy.subarray(f * frameBytes, (f + 1) * frameBytes),
    );
  }
  const black = blackSample(image);
  for (const frame of frames) {
    for (const r of template.rects) {
      const y1 = Math.min(rows, r.y + r.height);
      const x1 = Math.min(columns, r.x + r.width);
      for (let smp = 0; smp < samples; smp++) {
        for (let y = r.y; y < y1; y++) {
          for (let x = r.x; x < x1; x++) {
            const at =
              planar === 1 && samples > 1
                ? (smp * rows * columns + y * columns + x) * bytesPerSample
                : ((y * columns + x) * samples + smp) * bytesPerSample;
            frame.set(black[smp]!, at);
          }
        }
      }
    }
  }
  if (rle || codec) {
    const encoded = frames.map((f) => (codec ? codec.encode(f, image) : encodeRleFrame(f, geometry)));
    return { tag: PIXEL_DATA, vr: 'OB', encapsulated: encapsulate(encoded) };
  }
  const first = frames[0]!;
  return {
    tag: PIXEL_DATA,
    vr: pixel.vr,
    value: new Uint8Array(first.buffer, first.byteOffset, (pixel.value ?? first).length),
  };
}

/**
 * The stored bytes (little endian) of each sample that display as black, so a masked box is black
 * whatever the encoding: the lowest value for MONOCHROME2 (negative when signed), the highest for
 * MONOCHROME1, Y = 0 with neutral chroma for YCbCr, 0 for RGB (and palette index 0).
 */
function blackSample(image: {
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  samplesPerPixel: number;
}): Uint8Array[] {
  const bytes = image.bitsAllocated / 8;
  const bits = Math.min(image.bitsStored, image.bitsAllocated);
  const signed = image.pixelRepresentation === 1;
  const pi = image.photometricInterpretation.trim();
  const encode = (value: number) => {
    const out = new Uint8Array(bytes);
    // Two's complement over the whole sample: sign-extended above Bits Stored, as writers do.
    let v = BigInt.asUintN(bytes * 8, BigInt(value));
    for (let i = 0; i < bytes; i++, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
  };
  if (pi === 'MONOCHROME1') return [encode(signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1)];
  if (pi.startsWith('YBR')) {
    const neutral = signed ? 0 : 2 ** (bits - 1);
    return [encode(signed ? -(2 ** (bits - 1)) : 0), encode(neutral), encode(neutral)];
  }
  const low = encode(signed ? -(2 ** (bits - 1)) : 0);
  return Array.from({ length: image.samplesPerPixel }, () => low);
}

/** The encoded frames of encapsulated pixel data: one fragment each, or all fragments of a single frame. */
function encapsulatedFrames(bytes: Uint8Array, frameCount: number): Uint8Array[] {
  const fragments = encapsulatedItems(bytes).slice(1);
  if (fragments.length === frameCount) return fragments;
  if (frameCount === 1 && fragments.length > 1) return [Buffer.concat(fragments)];
  throw new PixelMaskingUnsupportedError('the compressed frames span several fragments each');
}

/** The items of encapsulated pixel data (first is the Basic Offset Table), up to the sequence delimiter. */
function encapsulatedItems(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Uint8Array[] = [];
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const tag = ((view.getUint16(pos, true) << 16) | view.getUint16(pos + 2, true)) >>> 0;
    const length = view.getUint32(pos + 4, true);
    if (tag !== ITEM) break;
    items.push(bytes.subarray(pos + 8, pos + 8 + length));
    pos += 8 + length;
  }
  return items;
}

/** Encapsulates frames one fragment each, with an empty Basic Offset Table and the sequence delimiter. */
function encapsulate(frames: Uint8Array[]): Uint8Array {
  const size = 8 + frames.reduce((n, f) => n + 8 + f.length + (f.length % 2), 0) + 8;
  const out = Buffer.alloc(size);
  let pos = 0;
  const header = (tag: number, length: number) => {
    out.writeUInt16LE(tag >>> 16, pos);
    out.writeUInt16LE(tag & 0xffff, pos + 2);
    out.writeUInt32LE(length, pos + 4);
    pos += 8;
  };
  header(ITEM, 0);
  for (const f of frames) {
    header(ITEM, f.length + (f.length % 2));
    out.set(f, pos);
    pos += f.length + (f.length % 2);
  }
  header(SEQUENCE_DELIMITER, 0);
  return out;
}
