import { inflateRawSync } from 'node:zlib';
import { lookupTag } from '../dictionary.ts';
import { DeidError, MalformedDicomError, UnsupportedTransferSyntaxError } from '../errors.ts';
import { type DElement, ITEM, ITEM_END, LONG_VRS, type Part10, PIXEL_DATA, SEQ_END } from './element.ts';

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
} as const;

const UNDEFINED = 0xffffffff;

/** Reads a Part 10 file into elements whose values are views of `buf` (no value is copied). */
export function readPart10(buf: Uint8Array): Part10 {
  try {
    return readPart10Unchecked(buf);
  } catch (error) {
    // Out-of-bounds reads and inflate failures on corrupt input become one typed error.
    if (error instanceof DeidError) throw error;
    throw new MalformedDicomError('it is truncated or corrupt');
  }
}

function readPart10Unchecked(buf: Uint8Array): Part10 {
  if (buf.length < 132 || buf[128] !== 0x44 || buf[129] !== 0x49 || buf[130] !== 0x43 || buf[131] !== 0x4d) {
    throw new MalformedDicomError('no DICM prefix after the 128-byte preamble');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const meta: DElement[] = [];
  let pos = 132;
  while (pos + 8 <= buf.length && view.getUint16(pos, true) === 0x0002) {
    const r = new Reader(buf, view, true);
    const { el, next } = r.readElement(pos, buf.length);
    meta.push(el);
    pos = next;
  }
  const tsEl = meta.find((e) => e.tag === 0x00020010);
  if (!tsEl?.value) throw new MalformedDicomError('file meta information has no transfer syntax');
  const transferSyntaxUid = asciiTrim(tsEl.value);
  if (transferSyntaxUid === TS.explicitBE) throw new UnsupportedTransferSyntaxError(transferSyntaxUid);
  const explicitVr = transferSyntaxUid !== TS.implicitLE;
  const deflated = transferSyntaxUid === TS.deflatedLE;
  let body = buf.subarray(pos);
  if (deflated) body = inflateRawSync(body);
  const bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const dataset = new Reader(body, bodyView, explicitVr).readElements(0, body.length).elements;
  return { meta, dataset, transferSyntaxUid, explicitVr, deflated };
}

/** Reads a bare data set (no preamble or meta), e.g. the implicit-VR content of a UN sequence. */
export function readDataset(buf: Uint8Array, explicitVr: boolean): DElement[] {
  try {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    return new Reader(buf, view, explicitVr).readElements(0, buf.length).elements;
  } catch (error) {
    if (error instanceof DeidError) throw error;
    throw new MalformedDicomError('the data set is truncated or corrupt');
  }
}

export function asciiTrim(v: Uint8Array): string {
  let end = v.length;
  while (end > 0 && (v[end - 1] === 0 || v[end - 1] === 0x20)) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(v[i]!);
  return s.trimStart();
}

class Reader {
  constructor(
    private readonly buf: Uint8Array,
    private readonly view: DataView,
    private readonly explicitVr: boolean,
  ) {}

  /** Reads elements from `start` until `end` or an item/sequence delimiter (returned position is past it). */
  readElements(start: number, end: number): { elements: DElement[]; next: number } {
    const elements: DElement[] = [];
    let pos = start;
    while (pos + 8 <= end) {
      const tag = this.tagAt(pos);
      if (tag === ITEM_END) return { elements, next: pos + 8 };
      if (tag === SEQ_END || tag === ITEM)
        throw new MalformedDicomError('unexpected delimiter in a data set');
      const { el, next } = this.readElement(pos, end);
      elements.push(el);
      pos = next;
    }
    if (pos !== end && pos < end) throw new MalformedDicomError('trailing bytes after the last element');
    return { elements, next: pos };
  }

  readElement(pos: number, end: number): { el: DElement; next: number } {
    const tag = this.tagAt(pos);
    let vr: string;
    let length: number;
    let valuePos: number;
    if (this.explicitVr) {
      vr = String.fromCharCode(this.buf[pos + 4]!, this.buf[pos + 5]!);
      if (LONG_VRS.has(vr)) {
        length = this.view.getUint32(pos + 8, true);
        valuePos = pos + 12;
      } else if (/^[A-Z]{2}$/.test(vr)) {
        length = this.view.getUint16(pos + 6, true);
        valuePos = pos + 8;
      } else {
        throw new MalformedDicomError('an element has an invalid VR');
      }
    } else {
      length = this.view.getUint32(pos + 4, true);
      valuePos = pos + 8;
      vr = implicitVr(tag, length);
    }
    if (length === UNDEFINED) {
      if (tag === PIXEL_DATA) {
        const stop = this.skipEncapsulated(valuePos, end);
        return {
          el: { tag, vr: vr === 'OW' ? 'OB' : vr, encapsulated: this.buf.subarray(valuePos, stop) },
          next: stop,
        };
      }
      if (vr === 'SQ' || vr === 'UN') {
        // UN of undefined length is a sequence in implicit VR little endian (PS3.5 6.2.2).
        const inner = vr === 'UN' ? new Reader(this.buf, this.view, false) : this;
        const { items, next } = inner.readItems(valuePos, end, true);
        return { el: { tag, vr: 'SQ', items }, next };
      }
      throw new MalformedDicomError('undefined length on a non-sequence element');
    }
    const stop = valuePos + length;
    if (stop > end) throw new MalformedDicomError('an element runs past the end of its container');
    if (vr === 'SQ') {
      const { items } = this.readItems(valuePos, stop, false);
      return { el: { tag, vr, items }, next: stop };
    }
    if (vr === 'UN' && !((tag >>> 16) & 1) && lookupTag(tag)?.vr === 'SQ') {
      // A standard sequence sent as UN (by a node that did not know it) is implicit VR little endian inside
      // (PS3.5 6.2.2): read its items so the profile reaches them; if they do not parse, it stays opaque.
      try {
        const { items } = new Reader(this.buf, this.view, false).readItems(valuePos, stop, false);
        return { el: { tag, vr: 'SQ', items }, next: stop };
      } catch {
        // fall through: an opaque UN value
      }
    }
    return { el: { tag, vr, value: this.buf.subarray(valuePos, stop) }, next: stop };
  }

  private readItems(
    start: number,
    end: number,
    untilDelimiter: boolean,
  ): { items: DElement[][]; next: number } {
    const items: DElement[][] = [];
    let pos = start;
    while (pos + 8 <= end) {
      const tag = this.tagAt(pos);
      const length = this.view.getUint32(pos + 4, true);
      if (tag === SEQ_END) return { items, next: pos + 8 };
      if (tag !== ITEM) throw new MalformedDicomError('a sequence holds something other than items');
      if (length === UNDEFINED) {
        const { elements, next } = this.readElements(pos + 8, end);
        items.push(elements);
        pos = next;
      } else {
        if (pos + 8 + length > end)
          throw new MalformedDicomError('an item runs past the end of its sequence');
        items.push(this.readElements(pos + 8, pos + 8 + length).elements);
        pos = pos + 8 + length;
      }
    }
    if (untilDelimiter) throw new MalformedDicomError('a sequence has no delimiter');
    return { items, next: pos };
  }

  private skipEncapsulated(start: number, end: number): number {
    let pos = start;
    while (pos + 8 <= end) {
      const tag = this.tagAt(pos);
      const length = this.view.getUint32(pos + 4, true);
      if (tag === SEQ_END) return pos + 8;
      if (tag !== ITEM || length === UNDEFINED) throw new MalformedDicomError('bad encapsulated pixel data');
      pos += 8 + length;
    }
    throw new MalformedDicomError('encapsulated pixel data has no delimiter');
  }

  private tagAt(pos: number): number {
    return ((this.view.getUint16(pos, true) << 16) | this.view.getUint16(pos + 2, true)) >>> 0;
  }
}

function implicitVr(tag: number, length: number): string {
  if ((tag & 0xffff) === 0) return 'UL';
  const group = tag >>> 16;
  if (group & 1) {
    const el = tag & 0xffff;
    if (el >= 0x10 && el <= 0xff) return 'LO'; // private creator
    return length === UNDEFINED ? 'SQ' : 'UN';
  }
  return lookupTag(tag)?.vr ?? (length === UNDEFINED ? 'SQ' : 'UN');
}
