import { type DecodedFrame, decodeFrame, parseInstance, renderFrame, toGrey8 } from '@annex/dicom';
import { AppError } from '@annex/platform';
import { chooseRenderedType } from './accept.ts';
import { notAcceptable, notFoundResource } from './errors.ts';
import { strongEtag } from './etag.ts';
import type { UrlUids, Viewer } from './viewer.ts';
import {
  auditRead,
  maskedInstance,
  pixelSource,
  storedOrThrow,
  type WadoDeps,
  type WadoResponse,
} from './wado-service.ts';

type Query = Record<string, string | string[] | undefined>;

export interface RenderParams {
  window?: { center: number; width: number; fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' };
  quality: number;
  viewport?: { width: number; height: number; sx: number; sy: number; sw?: number; sh?: number };
}

const bad = (message: string) => new AppError('RENDERED_BAD_PARAMETER', 400, message);

function one(query: Query, key: string): string | undefined {
  const v = query[key];
  if (Array.isArray(v)) throw bad(`"${key}" may appear once.`);
  return v;
}

const numbers = (raw: string, key: string) =>
  raw.split(',').map((s) => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n))
      throw bad(`"${key}" must be a comma-separated list of numbers.`);
    return n;
  });

/** The rendering parameters of PS3.18 8.3.5.1 (window, quality, viewport), validated. */
export function parseRenderParams(query: Query): RenderParams {
  const out: RenderParams = { quality: 90 };
  const win = one(query, 'window');
  if (win !== undefined) {
    const [c, w, fn = 'LINEAR'] = win.split(',');
    const [center, width] = numbers(`${c},${w}`, 'window');
    const f = fn.toUpperCase().replace('-', '_');
    if (width! <= 0 || !['LINEAR', 'LINEAR_EXACT', 'SIGMOID'].includes(f)) {
      throw bad('"window" is center,width[,linear|linear-exact|sigmoid] with width > 0.');
    }
    out.window = { center: center!, width: width!, fn: f as 'LINEAR' };
  }
  const quality = one(query, 'quality');
  if (quality !== undefined) {
    const q = Number(quality);
    if (!Number.isInteger(q) || q < 1 || q > 100) throw bad('"quality" is an integer from 1 to 100.');
    out.quality = q;
  }
  const viewport = one(query, 'viewport');
  if (viewport !== undefined) {
    const v = numbers(viewport, 'viewport');
    if ((v.length !== 2 && v.length !== 6) || v[0]! < 1 || v[1]! < 1 || v[0]! > 4096 || v[1]! > 4096) {
      throw bad('"viewport" is vw,vh[,sx,sy,sw,sh] with a size from 1 to 4096.');
    }
    out.viewport = {
      width: Math.round(v[0]!),
      height: Math.round(v[1]!),
      sx: v[2] ?? 0,
      sy: v[3] ?? 0,
      ...(v.length === 6 ? { sw: v[4]!, sh: v[5]! } : {}),
    };
  }
  return out;
}

/** Grey levels with the requested VOI function (PS3.3 C.11.2.1.2). */
function grey8(frame: DecodedFrame, window: RenderParams['window']): Uint8Array {
  if (!window || window.fn === 'LINEAR') {
    return toGrey8(frame, window ? { windowCenter: window.center, windowWidth: window.width } : {});
  }
  const { center: c, width: w } = window;
  const invert = frame.photometricInterpretation === 'MONOCHROME1';
  const out = new Uint8Array(frame.pixels.length);
  for (let i = 0; i < out.length; i++) {
    const x = frame.pixels[i]! * frame.rescaleSlope + frame.rescaleIntercept;
    let g: number;
    if (window.fn === 'LINEAR_EXACT')
      g = x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255;
    else g = 255 / (1 + Math.exp((-4 * (x - c)) / w));
    const v = Math.round(g);
    out[i] = invert ? 255 - v : v;
  }
  return out;
}

/** Nearest-neighbour resample of a source region into the viewport, keeping the aspect ratio (PS3.18 8.3.5.1.3). */
function resample(
  src: Uint8Array,
  cols: number,
  rows: number,
  samples: number,
  vp: NonNullable<RenderParams['viewport']>,
) {
  const sw = vp.sw ?? cols - vp.sx;
  const sh = vp.sh ?? rows - vp.sy;
  const scale = Math.min(vp.width / Math.abs(sw), vp.height / Math.abs(sh));
  const width = Math.max(1, Math.round(Math.abs(sw) * scale));
  const height = Math.max(1, Math.round(Math.abs(sh) * scale));
  const out = new Uint8Array(width * height * samples);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(rows - 1, Math.max(0, Math.floor(vp.sy + ((y + 0.5) / height) * sh)));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(cols - 1, Math.max(0, Math.floor(vp.sx + ((x + 0.5) / width) * sw)));
      for (let s = 0; s < samples; s++)
        out[(y * width + x) * samples + s] = src[(sy * cols + sx) * samples + s]!;
    }
  }
  return { out, width, height };
}

/** Encodes already-mapped 8-bit samples through the frames renderer (an identity window on 0..255). */
function encode(
  samples: Uint8Array,
  width: number,
  height: number,
  colour: boolean,
  format: 'png' | 'jpeg',
  quality: number,
) {
  const frame: DecodedFrame = {
    rows: height,
    columns: width,
    samplesPerPixel: colour ? 3 : 1,
    bitsAllocated: 8,
    bitsStored: 8,
    pixelRepresentation: 0,
    photometricInterpretation: colour ? 'RGB' : 'MONOCHROME2',
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: 128,
    windowWidth: 256,
    pixels: samples,
  };
  return renderFrame(frame, { format, quality });
}

/** WADO-RS /rendered for an instance (its first frame) or one frame, as JPEG or PNG. */
export async function renderInstance(
  deps: WadoDeps,
  viewer: Viewer,
  url: UrlUids,
  frameList: string | undefined,
  query: Query,
  accept: string | undefined,
): Promise<WadoResponse> {
  if (frameList !== undefined && !/^[1-9]\d{0,6}$/.test(frameList)) {
    throw new AppError('BAD_FRAME_LIST', 400, 'A rendered frame is one frame number starting at 1.');
  }
  const n = Number(frameList ?? 1);
  const params = parseRenderParams(query);
  const type = chooseRenderedType(accept);
  if (!type) throw notAcceptable('Rendered images are image/jpeg or image/png.');
  const [instance] = await storedOrThrow(deps, viewer, url, 'instance');
  const inst = instance!;
  // A masked burned-in-risk image is rendered from the engine's masked copy, never from the stored pixels.
  const maskedBy = pixelSource(viewer, inst) === 'masked' && viewer.kind === 'deid' ? viewer.view : undefined;
  if (n > inst.numberOfFrames) throw notFoundResource('frame');
  const etag = strongEtag(
    'rendered',
    maskedBy ? `${inst.sha256}:${maskedBy.fingerprint}` : inst.sha256,
    n,
    type,
    JSON.stringify(params),
  );
  return {
    contentType: type,
    etag,
    body: async () => {
      await auditRead(deps, viewer, 'rendered', [inst]);
      const parsed = maskedBy
        ? await maskedInstance(deps, maskedBy, inst)
        : parseInstance(await deps.storage.getBuffer(inst.objectKey));
      const frame = await decodeFrame(parsed, n - 1);
      const colour = frame.samplesPerPixel === 3;
      const format = type === 'image/png' ? 'png' : 'jpeg';
      if (!params.viewport && (!params.window || params.window.fn === 'LINEAR' || colour)) {
        const window =
          params.window && !colour
            ? { windowCenter: params.window.center, windowWidth: params.window.width }
            : {};
        return renderFrame(frame, { format, quality: params.quality, ...window });
      }
      const samples = colour ? (frame.pixels as Uint8Array) : grey8(frame, params.window);
      const { out, width, height } = params.viewport
        ? resample(samples, frame.columns, frame.rows, colour ? 3 : 1, params.viewport)
        : { out: samples, width: frame.columns, height: frame.rows };
      return encode(out, width, height, colour, format, params.quality);
    },
  };
}
