import { type DElement, PIXEL_DATA } from './binary/element.ts';
import { TS } from './binary/read-part10.ts';
import type { BurnedInRisk } from './burned-in.ts';
import type { MaskTemplate } from './deidentify-options.ts';
import { PixelMaskingUnsupportedError } from './errors.ts';
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
 * Blanks the template's rectangles in every frame of native (uncompressed) pixel data, returning the new
 * Pixel Data element, or undefined when no template fits. Compressed pixel data is refused with a reason:
 * there is no codec here to decode and re-encode it without loss.
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
  if (pixel.encapsulated || transferSyntaxUid === TS.rle) {
    throw new PixelMaskingUnsupportedError(
      `transfer syntax ${transferSyntaxUid} is compressed and no codec is available`,
    );
  }
  const bitsAllocated = us(0x00280100) ?? 16;
  if (bitsAllocated % 8 !== 0)
    throw new PixelMaskingUnsupportedError(`${bitsAllocated}-bit pixels are not supported`);
  const samples = us(0x00280002) ?? 1;
  const planar = us(0x00280006) ?? 0;
  const frames = Number.parseInt(str(0x00280008) ?? '1', 10) || 1;
  const bytesPerSample = bitsAllocated / 8;
  const frameBytes = rows * columns * samples * bytesPerSample;
  const src = pixel.value ?? new Uint8Array(0);
  if (src.length < frameBytes * frames)
    throw new PixelMaskingUnsupportedError('pixel data is shorter than its attributes say');
  const out = Uint8Array.from(src);
  for (let f = 0; f < frames; f++) {
    for (const r of template.rects) {
      const y1 = Math.min(rows, r.y + r.height);
      const x1 = Math.min(columns, r.x + r.width);
      for (let s = 0; s < samples; s++) {
        for (let y = r.y; y < y1; y++) {
          for (let x = r.x; x < x1; x++) {
            const at =
              planar === 1 && samples > 1
                ? f * frameBytes + (s * rows * columns + y * columns + x) * bytesPerSample
                : f * frameBytes + ((y * columns + x) * samples + s) * bytesPerSample;
            out.fill(0, at, at + bytesPerSample);
          }
        }
      }
    }
  }
  return { tag: PIXEL_DATA, vr: pixel.vr, value: out };
}
