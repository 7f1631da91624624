import type { ByteContext, DicomDataset, DicomElement, Span } from '../part10/element.ts';
import { DicomParseError } from '../part10/errors.ts';

/** One frame: a single span for native pixel data, one or more fragments for encapsulated data. */
export interface PixelFrame {
  /** Offset of the first byte (native) or of the first fragment's value (encapsulated). */
  offset: number;
  /** Total bytes of the frame (sum of its fragments' lengths). */
  length: number;
  fragments: Span[];
}

export interface PixelDataInfo {
  tag: number;
  vr: string;
  offset: number;
  length: number;
  encapsulated: boolean;
  basicOffsetTable?: Span;
  frames: PixelFrame[];
}

const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;

function readUint64s(ctx: ByteContext, el: DicomElement | undefined): number[] | undefined {
  if (!el || el.length === 0) return undefined;
  const view = new DataView(ctx.source.buffer, ctx.source.byteOffset + el.offset, el.length);
  return Array.from({ length: el.length / 8 }, (_, i) => Number(view.getBigUint64(8 * i, true)));
}

function framesFromFragments(fragments: Span[]): PixelFrame {
  const first = fragments[0];
  return {
    offset: first?.offset ?? 0,
    length: fragments.reduce((n, f) => n + f.length, 0),
    fragments,
  };
}

/** A fragment starting a new JPEG (SOI) or JPEG 2000 (SOC+SIZ) codestream: the last resort to split frames. */
function startsCodestream(ctx: ByteContext, f: Span): boolean {
  const b = ctx.source;
  const o = f.offset;
  return (b[o] === 0xff && b[o + 1] === 0xd8) || (b[o] === 0xff && b[o + 1] === 0x4f && b[o + 2] === 0xff);
}

function encapsulatedFrames(
  ctx: ByteContext,
  ds: DicomDataset,
  el: DicomElement,
  count: number,
): PixelFrame[] {
  const { basicOffsetTable: bot, fragments } = el.encapsulated!;
  if (fragments.length === 0)
    throw new DicomParseError('BAD_PIXEL_DATA', 'encapsulated pixel data has no fragments');
  const base = fragments[0]!.offset - 8;
  // Fragments are in file order and offsets ascend, so one pass assigns each fragment to its frame.
  const byOffsets = (starts: number[], lengths?: number[]) => {
    const frames: PixelFrame[] = [];
    let f = 0;
    starts.forEach((start, i) => {
      const from = base + start;
      const to = lengths
        ? from + lengths[i]!
        : i + 1 < starts.length
          ? base + starts[i + 1]!
          : Number.POSITIVE_INFINITY;
      while (f < fragments.length && fragments[f]!.offset - 8 < from) f++;
      const mine: Span[] = [];
      while (f < fragments.length && fragments[f]!.offset - 8 < to) mine.push(fragments[f++]!);
      if (mine.length === 0) {
        throw new DicomParseError('BAD_PIXEL_DATA', `offset table points at no fragment for frame ${i + 1}`);
      }
      frames.push(framesFromFragments(mine));
    });
    return frames;
  };
  const eot = readUint64s(ctx, ds.get(EXTENDED_OFFSET_TABLE));
  if (eot) return byOffsets(eot, readUint64s(ctx, ds.get(EXTENDED_OFFSET_TABLE_LENGTHS)));
  if (bot.length > 0) {
    const view = new DataView(ctx.source.buffer, ctx.source.byteOffset + bot.offset, bot.length);
    return byOffsets(Array.from({ length: bot.length / 4 }, (_, i) => view.getUint32(4 * i, true)));
  }
  if (fragments.length === count) return fragments.map((f) => framesFromFragments([f]));
  if (count === 1) return [framesFromFragments(fragments)];
  const frames: Span[][] = [];
  for (const f of fragments) {
    if (frames.length === 0 || startsCodestream(ctx, f)) frames.push([f]);
    else frames[frames.length - 1]!.push(f);
  }
  if (frames.length !== count) {
    throw new DicomParseError(
      'BAD_PIXEL_DATA',
      `cannot split ${fragments.length} fragments into ${count} frames`,
    );
  }
  return frames.map(framesFromFragments);
}

/** Where each frame's bytes are, from the image pixel attributes and (if encapsulated) the offset tables. */
export function pixelLayout(
  ctx: ByteContext,
  ds: DicomDataset,
  el: DicomElement,
  image: {
    rows: number;
    columns: number;
    samplesPerPixel: number;
    bitsAllocated: number;
    numberOfFrames: number;
  },
): PixelDataInfo {
  const info = { tag: el.tag, vr: el.vr, offset: el.offset, length: el.length };
  if (el.encapsulated) {
    const frames = encapsulatedFrames(ctx, ds, el, image.numberOfFrames);
    return { ...info, encapsulated: true, basicOffsetTable: el.encapsulated.basicOffsetTable, frames };
  }
  const bitsPerFrame = image.rows * image.columns * image.samplesPerPixel * image.bitsAllocated;
  const frameBytes = Math.ceil(bitsPerFrame / 8);
  const needed = Math.ceil((bitsPerFrame * image.numberOfFrames) / 8);
  if (el.length < needed) {
    throw new DicomParseError(
      'BAD_PIXEL_DATA',
      `pixel data holds ${el.length} bytes; ${image.numberOfFrames} frame(s) need ${needed}`,
    );
  }
  // 1-bit frames need not start on a byte boundary; the span then starts at the byte holding the first bit.
  const frames = Array.from({ length: image.numberOfFrames }, (_, n) => {
    const span = { offset: el.offset + Math.floor((n * bitsPerFrame) / 8), length: frameBytes };
    return { ...span, fragments: [span] };
  });
  return { ...info, encapsulated: false, frames };
}
