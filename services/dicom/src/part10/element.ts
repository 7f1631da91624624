import type { TextDecoder } from 'node:util';

/** A byte range inside the buffer a parsed instance refers to. */
export interface Span {
  offset: number;
  length: number;
}

/**
 * One element as found in the file: where its value is, not the value itself (values are decoded on demand,
 * pixel data is never copied).
 */
export interface DicomElement {
  /** group * 0x10000 + element, e.g. 0x00100010. */
  tag: number;
  vr: string;
  /** Offset of the value in the source buffer. */
  offset: number;
  /** Value length in bytes; for undefined-length sequences/pixel data, the bytes through the delimiter item. */
  length: number;
  undefinedLength: boolean;
  /** Sequence items (SQ, and UN of undefined length, which PS3.5 6.2.2 says is an implicit VR sequence). */
  items?: DicomDataset[];
  /** Encapsulated pixel data: Basic Offset Table item value and the fragments after it. */
  encapsulated?: { basicOffsetTable: Span; fragments: Span[] };
}

/** Elements of one dataset or sequence item, in file order, by tag. */
export type DicomDataset = Map<number, DicomElement>;

/** How the bytes are encoded: all a value decoder needs. */
export interface ByteContext {
  source: Buffer;
  littleEndian: boolean;
  /** Decoder for text values per Specific Character Set; absent means Latin-1 (which covers ASCII). */
  decoder?: TextDecoder;
}
