import { inflateRawSync, inflateSync } from 'node:zlib';
import { FILE_META_START, TRANSFER_SYNTAX_UID } from './constants.ts';
import type { DicomDataset } from './element.ts';
import { DicomParseError } from './errors.ts';
import type { TransferSyntaxTraits } from './transfer-syntax.ts';
import { LONG_VRS, TEXT_VRS, VR_BY_CODE } from './vr.ts';
import { DatasetWalker } from './walker.ts';

/** The File Meta Information of a Part-10 file (PS3.10 7.1), always explicit VR little endian. */
export interface FileMeta {
  meta: DicomDataset;
  /** Offset of the dataset: just past the last group 0002 element. */
  end: number;
  /** Transfer Syntax UID (0002,0010), its first value without padding; '' when absent, empty or not text. */
  transferSyntaxUid: string;
}

/**
 * Checks the preamble and "DICM" prefix and reads the file meta group. Its end is found by walking the group
 * 0002 elements (as dcmtk and pydicom do), not from File Meta Information Group Length, which some writers get
 * wrong. Throws DicomParseError NOT_DICOM or TRUNCATED.
 */
export function readFileMeta(buf: Buffer): FileMeta {
  if (
    buf.length < FILE_META_START ||
    buf[128] !== 0x44 ||
    buf[129] !== 0x49 ||
    buf[130] !== 0x43 ||
    buf[131] !== 0x4d
  ) {
    throw new DicomParseError('NOT_DICOM', 'no DICM prefix at offset 128: not a DICOM Part-10 file');
  }
  if (buf.length < 144) throw new DicomParseError('TRUNCATED', 'file ends inside the file meta information');
  let end = FILE_META_START;
  while (end + 8 <= buf.length && buf[end] === 0x02 && buf[end + 1] === 0x00) {
    const long = LONG_VRS.has(VR_BY_CODE.get(buf[end + 4]! * 256 + buf[end + 5]!) ?? '');
    if (long && end + 12 > buf.length) break;
    end += long ? 12 + buf.readUInt32LE(end + 8) : 8 + buf.readUInt16LE(end + 6);
  }
  // Cut inside the group: an element runs past the end, fewer than 8 bytes of a group 0002 element are left,
  // or the group length (when there is one) promises more bytes than the file has.
  const cutHeader = end < buf.length && end + 8 > buf.length && (end + 1 >= buf.length || buf[end] === 0x02);
  const stated =
    buf.readUInt16LE(132) === 0x0002 && buf.readUInt16LE(134) === 0 ? 144 + buf.readUInt32LE(140) : 0;
  if (end > buf.length || cutHeader || stated > buf.length) {
    throw new DicomParseError('TRUNCATED', 'file ends inside the file meta information');
  }
  const { dataset: meta } = new DatasetWalker(buf).readDataset(FILE_META_START, end, {
    explicitVr: true,
    littleEndian: true,
  });
  const ts = meta.get(TRANSFER_SYNTAX_UID);
  let transferSyntaxUid = '';
  if (ts && ts.length > 0 && TEXT_VRS.has(ts.vr)) {
    let stop = ts.offset + ts.length;
    while (stop > ts.offset && (buf[stop - 1] === 0x00 || buf[stop - 1] === 0x20)) stop--;
    transferSyntaxUid = buf.toString('latin1', ts.offset, stop).split('\\')[0]!.trim();
  }
  return { meta, end, transferSyntaxUid };
}

/** A dataset walked in its transfer syntax, and the bytes its offsets refer to. */
export interface DatasetBody {
  /** The input, or the inflated dataset for a deflated transfer syntax (offsets then start at 0). */
  source: Buffer;
  dataset: DicomDataset;
  /** Tags that occurred twice in one dataset (the Map holds the last): invalid, callers decide. */
  duplicateTags: number;
}

/**
 * Reads the dataset from `start` to the end of `buf` in the given transfer syntax: inflates a deflated one
 * (PS3.5 A.5; a zlib-wrapped stream is accepted too), checks the byte order, walks every element.
 */
export function readDatasetBody(buf: Buffer, start: number, traits: TransferSyntaxTraits): DatasetBody {
  const source = traits.deflated ? inflateDataset(buf.subarray(start)) : buf;
  const from = traits.deflated ? 0 : start;
  checkByteOrder(source, from, traits.littleEndian);
  const walker = new DatasetWalker(source);
  const { dataset } = walker.readDataset(from, source.length, traits);
  return { source, dataset, duplicateTags: walker.duplicateTags };
}

function inflateDataset(deflated: Buffer): Buffer {
  try {
    return inflateRawSync(deflated);
  } catch {
    try {
      // Some writers wrap the deflate stream in a zlib header despite PS3.5 A.5; accept it.
      return inflateSync(deflated);
    } catch {
      throw new DicomParseError('BAD_TRANSFER_SYNTAX', 'dataset declared deflated does not inflate');
    }
  }
}

/**
 * Datasets start with a low group (0008 nearly always). A first group that is only low when read in the other
 * byte order means the data's endianness does not match the declared transfer syntax.
 */
function checkByteOrder(source: Buffer, start: number, littleEndian: boolean): void {
  if (start + 2 > source.length) return;
  const declared = littleEndian ? source.readUInt16LE(start) : source.readUInt16BE(start);
  const swapped = littleEndian ? source.readUInt16BE(start) : source.readUInt16LE(start);
  if (declared > 0x00ff && swapped <= 0x00ff && swapped % 2 === 0 && swapped > 0) {
    throw new DicomParseError(
      'BAD_TRANSFER_SYNTAX',
      `the dataset is ${littleEndian ? 'big' : 'little'} endian, but the transfer syntax declares the other order`,
    );
  }
}
