import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DicomParseError, describeTerm } from '../part10/errors.ts';
import type { DecodedFrame } from './decoded-frame.ts';
import { windowLinear } from './voi-lut.ts';

export interface RenderOptions {
  /** VOI window in modality units (e.g. HU); defaults to the file's first window, else the frame's range. */
  windowCenter?: number;
  windowWidth?: number;
  format?: 'png' | 'jpeg';
  /** Invert grey levels (on top of MONOCHROME1, which is already shown inverted). */
  invert?: boolean;
  /** JPEG quality 1..100 (default 90). */
  quality?: number;
}

export const RENDERED_CONTENT_TYPE = { png: 'image/png', jpeg: 'image/jpeg' } as const;

/** Modality value range of a frame: the auto window when the file gives none. */
function modalityRange(frame: DecodedFrame): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of frame.pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const a = min * frame.rescaleSlope + frame.rescaleIntercept;
  const b = max * frame.rescaleSlope + frame.rescaleIntercept;
  return [Math.min(a, b), Math.max(a, b)];
}

/** Grey levels 0..255 for a monochrome frame: modality LUT (rescale), then the linear VOI LUT, then inversion. */
export function toGrey8(frame: DecodedFrame, options: RenderOptions = {}): Uint8Array {
  if (!frame.photometricInterpretation.startsWith('MONOCHROME')) {
    throw new DicomParseError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `photometric interpretation ${describeTerm(frame.photometricInterpretation)} is not rendered`,
    );
  }
  let center = options.windowCenter ?? frame.windowCenter;
  let width = options.windowWidth ?? frame.windowWidth;
  if (center === undefined || width === undefined) {
    const [min, max] = modalityRange(frame);
    center = (min + max) / 2;
    width = Math.max(max - min, 1);
  }
  const invert = (frame.photometricInterpretation === 'MONOCHROME1') !== (options.invert ?? false);
  const { pixels, rescaleSlope: slope, rescaleIntercept: intercept } = frame;
  const out = new Uint8Array(pixels.length);
  const grey = (stored: number) => {
    const g = windowLinear(stored * slope + intercept, center, width);
    return invert ? 255 - g : g;
  };
  if (frame.bitsAllocated <= 16) {
    // A LUT over every possible stored value: one multiply-free lookup per pixel.
    const offset = frame.pixelRepresentation === 1 ? 2 ** (frame.bitsAllocated - 1) : 0;
    const lut = new Uint8Array(2 ** frame.bitsAllocated);
    for (let i = 0; i < lut.length; i++) lut[i] = grey(i - offset);
    for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]! + offset]!;
  } else {
    for (let i = 0; i < pixels.length; i++) out[i] = grey(pixels[i]!);
  }
  return out;
}

function toRgb8(frame: DecodedFrame): Uint8Array {
  if (frame.bitsAllocated !== 8) {
    throw new DicomParseError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `colour frames with ${frame.bitsAllocated} bits are not rendered`,
    );
  }
  const src = frame.pixels as Uint8Array;
  if (frame.photometricInterpretation === 'RGB') return src;
  if (frame.photometricInterpretation === 'YBR_FULL') {
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i += 3) {
      const y = src[i]!;
      const cb = src[i + 1]! - 128;
      const cr = src[i + 2]! - 128;
      out[i] = Math.max(0, Math.min(255, Math.round(y + 1.402 * cr)));
      out[i + 1] = Math.max(0, Math.min(255, Math.round(y - 0.344136 * cb - 0.714136 * cr)));
      out[i + 2] = Math.max(0, Math.min(255, Math.round(y + 1.772 * cb)));
    }
    return out;
  }
  throw new DicomParseError(
    'UNSUPPORTED_TRANSFER_SYNTAX',
    `photometric interpretation ${describeTerm(frame.photometricInterpretation)} is not rendered`,
  );
}

/** Renders a decoded frame as an 8-bit PNG (default) or JPEG, as WADO-RS /rendered returns it. */
export function renderFrame(frame: DecodedFrame, options: RenderOptions = {}): Buffer {
  const format = options.format ?? 'png';
  const { columns: width, rows: height } = frame;
  const colour = frame.samplesPerPixel === 3;
  const samples = colour ? toRgb8(frame) : toGrey8(frame, options);
  if (format === 'png') {
    const colorType = colour ? 2 : 0;
    const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: false });
    png.data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false });
  }
  // jpeg-js takes RGBA input whatever it encodes.
  const rgba = Buffer.alloc(width * height * 4, 255);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = samples[colour ? p * 3 : p]!;
    rgba[p * 4 + 1] = samples[colour ? p * 3 + 1 : p]!;
    rgba[p * 4 + 2] = samples[colour ? p * 3 + 2 : p]!;
  }
  return jpeg.encode({ data: rgba, width, height }, options.quality ?? 90).data;
}
