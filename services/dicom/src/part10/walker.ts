import * as C from './constants.ts';
import { lookupTag, tagName } from './dictionary.ts';
import type { DicomDataset, DicomElement, Span } from './element.ts';
import { DicomParseError } from './errors.ts';
import * as V from './vr.ts';

// Module-local copies of the shared tables: the hot loop below then reads constants, not imported bindings.
const { ITEM, ITEM_DELIMITER, PIXEL_DATA, SEQUENCE_DELIMITER, UNDEFINED_LENGTH: UNDEFINED } = C;
const { LONG_VRS, VR_BY_CODE } = V;
const isCapital = (byte: number) => byte >= 0x41 && byte <= 0x5a;

export { PIXEL_DATA };

const MAX_DEPTH = 32;

export interface WalkOptions {
  explicitVr: boolean;
  littleEndian: boolean;
}

/**
 * Walks a DICOM dataset in `source` between start and end, recording where each value lies. Nothing is copied
 * and no value is decoded: this is the ingest fast path. Every length is checked against the buffer, so a
 * truncated or corrupt file raises a DicomParseError rather than reading garbage.
 */
export class DatasetWalker {
  private readonly buf: Buffer;
  /** How many elements repeated a tag already present in their dataset (and so replaced it in the Map). */
  duplicateTags = 0;
  constructor(source: Buffer) {
    this.buf = source;
  }

  /**
   * Reads `length` bytes at `offset` as the items of a sequence (what a standard sequence sent as UN holds,
   * implicit VR little endian per PS3.5 6.2.2). Throws DicomParseError if they are not items.
   */
  readSequenceItems(tag: number, offset: number, length: number, opts: WalkOptions): DicomDataset[] {
    const element: DicomElement = { tag, vr: 'SQ', offset, length, undefinedLength: false };
    this.readSequence(element, offset, length, opts, 0);
    return element.items!;
  }

  private u16(at: number, le: boolean): number {
    const b = this.buf;
    return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
  }

  private u32(at: number, le: boolean): number {
    const b = this.buf;
    return le
      ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000
      : b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
  }

  private tagAt(at: number, le: boolean): number {
    return this.u16(at, le) * 0x10000 + this.u16(at + 2, le);
  }

  private need(at: number, bytes: number, what: string): void {
    if (at + bytes > this.buf.length) {
      throw new DicomParseError('TRUNCATED', `file ends inside ${what} at offset ${at}`);
    }
  }

  /**
   * Reads elements until `end`, or until an item delimiter when `untilItemDelimiter` (undefined-length items).
   * Returns the dataset and the offset just past what was consumed.
   */
  readDataset(
    start: number,
    end: number,
    opts: WalkOptions,
    depth = 0,
    untilItemDelimiter = false,
  ): { dataset: DicomDataset; next: number } {
    if (depth > MAX_DEPTH)
      throw new DicomParseError('BAD_ELEMENT', `sequences nested deeper than ${MAX_DEPTH}`);
    const dataset: DicomDataset = new Map();
    const le = opts.littleEndian;
    let pos = start;
    while (pos < end) {
      this.need(pos, 8, 'an element header');
      const tag = this.tagAt(pos, le);
      if (tag === ITEM_DELIMITER) {
        if (untilItemDelimiter) return { dataset, next: pos + 8 };
        throw new DicomParseError('BAD_ELEMENT', `unexpected item delimiter at offset ${pos}`);
      }
      if (tag === ITEM || tag === SEQUENCE_DELIMITER) {
        throw new DicomParseError('BAD_ELEMENT', `unexpected item tag ${tagName(tag)} at offset ${pos}`);
      }
      let vr: string;
      let length: number;
      let valueStart: number;
      if (opts.explicitVr) {
        const code = this.buf[pos + 4]! * 256 + this.buf[pos + 5]!;
        let explicitVr = VR_BY_CODE.get(code);
        // A VR this reader does not know, but well formed (two capitals), is a newer VR: PS3.5 7.1.2 has those
        // use the 32-bit length form, so it can be skipped as UN.
        if (explicitVr === undefined && isCapital(this.buf[pos + 4]!) && isCapital(this.buf[pos + 5]!)) {
          explicitVr = 'UN';
        }
        if (explicitVr === undefined) {
          throw new DicomParseError(
            'BAD_TRANSFER_SYNTAX',
            `element ${tagName(tag)} at offset ${pos} has no valid VR, but the transfer syntax declares explicit VR`,
          );
        }
        vr = explicitVr;
        if (LONG_VRS.has(vr) || !VR_BY_CODE.has(code)) {
          this.need(pos, 12, 'an element header');
          length = this.u32(pos + 8, le);
          valueStart = pos + 12;
        } else {
          length = this.u16(pos + 6, le);
          valueStart = pos + 8;
        }
      } else {
        length = this.u32(pos + 4, le);
        valueStart = pos + 8;
        vr = lookupTag(tag)?.vr ?? (length === UNDEFINED ? 'SQ' : 'UN');
        if (tag === PIXEL_DATA) vr = 'OW';
        // A file labelled implicit VR that is really explicit shows a VR code where the length should be: either
        // the element's own VR (a short-VR value of over 16 kB is not plausible) or a length running off the end.
        const vrCode = this.u16(pos + 4, false);
        const spellsOwnVr = !LONG_VRS.has(vr) && VR_BY_CODE.get(vrCode) === vr;
        if (length !== UNDEFINED && (spellsOwnVr || (valueStart + length > end && VR_BY_CODE.has(vrCode)))) {
          throw new DicomParseError(
            'BAD_TRANSFER_SYNTAX',
            `element ${tagName(tag)} at offset ${pos} looks explicit VR, but the transfer syntax declares implicit VR`,
          );
        }
      }
      const element: DicomElement = {
        tag,
        vr,
        offset: valueStart,
        length,
        undefinedLength: length === UNDEFINED,
      };
      if (length === UNDEFINED) {
        if (tag === PIXEL_DATA) {
          pos = this.readEncapsulated(element, valueStart, opts);
        } else if (vr === 'SQ' || vr === 'UN') {
          // PS3.5 6.2.2: a UN of undefined length holds a sequence encoded as implicit VR little endian.
          const itemOpts = vr === 'UN' ? { explicitVr: false, littleEndian: true } : opts;
          element.vr = 'SQ';
          pos = this.readSequence(element, valueStart, UNDEFINED, itemOpts, depth);
        } else {
          throw new DicomParseError('BAD_ELEMENT', `element ${tagName(tag)} (${vr}) has undefined length`);
        }
        element.length = pos - valueStart;
      } else {
        if (valueStart + length > this.buf.length) {
          throw new DicomParseError(
            'TRUNCATED',
            `value of ${tagName(tag)} at offset ${valueStart} runs past the end`,
          );
        }
        if (vr === 'SQ') this.readSequence(element, valueStart, length, opts, depth);
        pos = valueStart + length;
      }
      const size = dataset.size;
      dataset.set(tag, element);
      // A tag seen twice in one dataset (invalid, PS3.5 7.1): the Map keeps the last; callers that must see
      // every value (de-identification) check this count.
      if (dataset.size === size) this.duplicateTags++;
    }
    if (untilItemDelimiter) throw new DicomParseError('TRUNCATED', 'file ends inside a sequence item');
    return { dataset, next: pos };
  }

  /** Reads items of a sequence; returns the offset after the sequence (past its delimiter if undefined length). */
  private readSequence(
    element: DicomElement,
    start: number,
    length: number,
    opts: WalkOptions,
    depth: number,
  ): number {
    const items: DicomDataset[] = [];
    element.items = items;
    const end = length === UNDEFINED ? this.buf.length : start + length;
    let pos = start;
    while (pos < end) {
      this.need(pos, 8, 'an item header');
      const tag = this.tagAt(pos, opts.littleEndian);
      const itemLength = this.u32(pos + 4, opts.littleEndian);
      if (tag === SEQUENCE_DELIMITER) return pos + 8;
      if (tag !== ITEM) {
        throw new DicomParseError(
          'BAD_ELEMENT',
          `expected an item in ${tagName(element.tag)} at offset ${pos}`,
        );
      }
      if (itemLength === UNDEFINED) {
        const { dataset, next } = this.readDataset(pos + 8, this.buf.length, opts, depth + 1, true);
        items.push(dataset);
        pos = next;
      } else {
        const itemEnd = pos + 8 + itemLength;
        if (itemEnd > end)
          throw new DicomParseError('TRUNCATED', `item of ${tagName(element.tag)} runs past the end`);
        items.push(this.readDataset(pos + 8, itemEnd, opts, depth + 1).dataset);
        pos = itemEnd;
      }
    }
    if (length === UNDEFINED)
      throw new DicomParseError('TRUNCATED', `file ends inside ${tagName(element.tag)}`);
    return pos;
  }

  /** Encapsulated pixel data (PS3.5 A.4): a Basic Offset Table item, fragment items, a sequence delimiter. */
  private readEncapsulated(element: DicomElement, start: number, opts: WalkOptions): number {
    const fragments: Span[] = [];
    let basicOffsetTable: Span | undefined;
    let pos = start;
    for (;;) {
      this.need(pos, 8, 'an encapsulated pixel data item');
      const tag = this.tagAt(pos, opts.littleEndian);
      const length = this.u32(pos + 4, opts.littleEndian);
      if (tag === SEQUENCE_DELIMITER) {
        pos += 8;
        break;
      }
      if (tag !== ITEM || length === UNDEFINED) {
        throw new DicomParseError('BAD_PIXEL_DATA', `expected a pixel data fragment at offset ${pos}`);
      }
      this.need(pos + 8, length, 'a pixel data fragment');
      const span = { offset: pos + 8, length };
      if (basicOffsetTable === undefined) basicOffsetTable = span;
      else fragments.push(span);
      pos += 8 + length;
    }
    if (!basicOffsetTable)
      throw new DicomParseError('BAD_PIXEL_DATA', 'encapsulated pixel data has no offset table');
    element.encapsulated = { basicOffsetTable, fragments };
    return pos;
  }
}
