import { lookupTag } from '../../part10/dictionary.ts';
import type { DicomDataset } from '../../part10/element.ts';
import { DicomParseError } from '../../part10/errors.ts';
import { readDatasetBody, readFileMeta } from '../../part10/file.ts';
import {
  TransferSyntax,
  type TransferSyntaxTraits,
  transferSyntaxTraits,
} from '../../part10/transfer-syntax.ts';
import { DatasetWalker } from '../../part10/walker.ts';
import { DeidError, MalformedDicomError, UnsupportedTransferSyntaxError } from '../errors.ts';
import type { DElement, Part10 } from './element.ts';

/** A transfer syntax the shared tables do not know is read as explicit VR little endian (PS3.5 A.4). */
const UNKNOWN_SYNTAX: TransferSyntaxTraits = {
  explicitVr: true,
  littleEndian: true,
  deflated: false,
  encapsulated: false,
};

/**
 * Reads a Part 10 file into elements whose values are views of `buf` (no value is copied). The bytes are walked
 * by the shared Part-10 layer (src/part10, the same walker ingest uses); this turns its offsets into the
 * editable element list the engine patches and writes back.
 */
export function readPart10(buf: Uint8Array): Part10 {
  try {
    const input = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const { meta, end, transferSyntaxUid } = readFileMeta(input);
    if (!transferSyntaxUid) throw new MalformedDicomError('file meta information has no transfer syntax');
    // The writer emits little endian only; big endian (retired) is refused rather than converted.
    if (transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian) {
      throw new UnsupportedTransferSyntaxError(transferSyntaxUid);
    }
    const traits = transferSyntaxTraits(transferSyntaxUid) ?? UNKNOWN_SYNTAX;
    const body = readDatasetBody(input, end, traits);
    // The walker's dataset keeps one element per tag; a repeated tag would leave a value the engine never saw.
    if (body.duplicateTags > 0) throw new MalformedDicomError('an attribute occurs twice in one data set');
    return {
      meta: toElements(input, meta),
      dataset: toElements(body.source, body.dataset),
      transferSyntaxUid,
      explicitVr: traits.explicitVr,
      deflated: traits.deflated,
    };
  } catch (error) {
    if (error instanceof DeidError) throw error;
    // Corrupt input (the shared layer's DicomParseError codes; messages name tags and offsets, never values).
    if (error instanceof DicomParseError) throw new MalformedDicomError(error.message.replace(/\.$/, ''));
    throw new MalformedDicomError('it is truncated or corrupt');
  }
}

/** The editable form of a walked dataset: values and encapsulated pixel data are views of `source`. */
function toElements(source: Buffer, dataset: DicomDataset): DElement[] {
  const out: DElement[] = [];
  for (const el of dataset.values()) {
    const { tag, vr } = el;
    if (el.encapsulated) {
      const encapsulated = source.subarray(el.offset, el.offset + el.length);
      out.push({ tag, vr: vr === 'OW' ? 'OB' : vr, encapsulated });
    } else if (el.items) {
      out.push({ tag, vr: 'SQ', items: el.items.map((item) => toElements(source, item)) });
    } else if (vr === 'UN' && !((tag >>> 16) & 1) && lookupTag(tag)?.vr === 'SQ') {
      out.push(unSequence(source, tag, el.offset, el.length));
    } else {
      out.push({ tag, vr, value: source.subarray(el.offset, el.offset + el.length) });
    }
  }
  return out;
}

/**
 * A standard sequence sent as UN (by a node that did not know it) is implicit VR little endian inside
 * (PS3.5 6.2.2): its items are read so the profile reaches them; if they do not parse, it stays opaque.
 */
function unSequence(source: Buffer, tag: number, offset: number, length: number): DElement {
  try {
    const walker = new DatasetWalker(source);
    const items = walker.readSequenceItems(tag, offset, length, { explicitVr: false, littleEndian: true });
    if (walker.duplicateTags === 0) return { tag, vr: 'SQ', items: items.map((i) => toElements(source, i)) };
  } catch {
    // fall through: an opaque UN value
  }
  return { tag, vr: 'UN', value: source.subarray(offset, offset + length) };
}
