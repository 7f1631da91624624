import type { ByteContext, DicomDataset, DicomElement } from '../part10/element.ts';
import { TEXT_VRS } from '../part10/vr.ts';

/** Text VRs whose value is one string even when it contains a backslash (PS3.5 6.2). */
const SINGLE_VALUED_TEXT = new Set(['LT', 'ST', 'UT', 'UR']);
/** VRs whose values are affected by Specific Character Set (PS3.5 6.1.2.3). */
const EXTENDED_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
const NUMBER_STRING_VRS = new Set(['DS', 'IS']);
export const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);

export function isStringVr(vr: string): boolean {
  return TEXT_VRS.has(vr);
}

/** Raw text of a string element, without the trailing space/NUL padding. */
export function rawString(ctx: ByteContext, el: DicomElement): string {
  let end = el.offset + el.length;
  const b = ctx.source;
  while (end > el.offset && (b[end - 1] === 0x20 || b[end - 1] === 0x00)) end--;
  // Only person names and free text may use the extended character set; codes and UIDs are always ASCII.
  const extended = ctx.decoder && EXTENDED_VRS.has(el.vr);
  return extended ? ctx.decoder!.decode(b.subarray(el.offset, end)) : b.toString('latin1', el.offset, end);
}

/** Values of a string element, split on backslash where the VR is multi-valued; leading spaces trimmed too. */
export function readStrings(ctx: ByteContext, el: DicomElement): string[] {
  if (el.length === 0) return [];
  const text = rawString(ctx, el);
  if (SINGLE_VALUED_TEXT.has(el.vr)) return [text];
  return text.split('\\').map((v) => v.trim());
}

/** Numeric values of a binary (US, SS, UL, SL, FL, FD, SV, UV, AT) or number-string (DS, IS) element. */
export function readNumbers(ctx: ByteContext, el: DicomElement): number[] {
  if (NUMBER_STRING_VRS.has(el.vr)) {
    return readStrings(ctx, el)
      .filter((v) => v.length > 0)
      .map(Number);
  }
  const size = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, SV: 8, UV: 8, AT: 4 }[el.vr];
  if (!size) return [];
  const view = new DataView(ctx.source.buffer, ctx.source.byteOffset + el.offset, el.length);
  const le = ctx.littleEndian;
  const out: number[] = [];
  for (let at = 0; at + size <= el.length; at += size) {
    switch (el.vr) {
      case 'US':
        out.push(view.getUint16(at, le));
        break;
      case 'SS':
        out.push(view.getInt16(at, le));
        break;
      case 'UL':
        out.push(view.getUint32(at, le));
        break;
      case 'SL':
        out.push(view.getInt32(at, le));
        break;
      case 'FL':
        out.push(view.getFloat32(at, le));
        break;
      case 'FD':
        out.push(view.getFloat64(at, le));
        break;
      case 'SV':
        out.push(Number(view.getBigInt64(at, le)));
        break;
      case 'UV':
        out.push(Number(view.getBigUint64(at, le)));
        break;
      case 'AT':
        out.push(view.getUint16(at, le) * 0x10000 + view.getUint16(at + 2, le));
        break;
    }
  }
  return out;
}

/** The value bytes of an element (a view into the source, not a copy). */
export function readBytes(ctx: ByteContext, el: DicomElement): Buffer {
  return ctx.source.subarray(el.offset, el.offset + el.length);
}

/** First string value of a tag in a dataset, or undefined when absent or empty. */
export function stringOf(ctx: ByteContext, ds: DicomDataset, tag: number): string | undefined {
  const el = ds.get(tag);
  if (!el || el.length === 0) return undefined;
  const value = isStringVr(el.vr) ? readStrings(ctx, el)[0] : undefined;
  return value === '' ? undefined : value;
}

/** Numeric values of a tag, or undefined when absent or empty. */
export function numbersOf(ctx: ByteContext, ds: DicomDataset, tag: number): number[] | undefined {
  const el = ds.get(tag);
  if (!el || el.length === 0) return undefined;
  const values = readNumbers(ctx, el);
  return values.length > 0 && values.every(Number.isFinite) ? values : undefined;
}

export function numberOf(ctx: ByteContext, ds: DicomDataset, tag: number): number | undefined {
  return numbersOf(ctx, ds, tag)?.[0];
}
