import { tagHex } from '../part10/dictionary.ts';
import type { ByteContext, DicomDataset, DicomElement } from '../part10/element.ts';
import { swapBytes } from './byte-order.ts';
import { type ParsedInstance, parseInstance } from './parse-instance.ts';
import { BINARY_VRS, rawString, readNumbers, readStrings } from './values.ts';

/** One attribute in PS3.18 Annex F DICOM JSON. */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJsonDataset = Record<string, DicomJsonElement>;

export interface DicomJsonOptions {
  /** Leave pixel data out (default true): WADO-RS /metadata never inlines it. */
  excludePixelData?: boolean;
  /**
   * Gives the BulkDataURI for a binary value too large to inline (and for pixel data). `path` is the chain of
   * tags (hex) from the top level. Without it, such values are written with their VR only.
   */
  bulkDataUri?: (path: string[]) => string | undefined;
  /** Binary values up to this many bytes are inlined as base64 (default 1024). */
  inlineBinaryMaxBytes?: number;
}

const PIXEL_DATA_TAGS = new Set([0x7fe00010, 0x7fe00008, 0x7fe00009]);
const NUMBER_VRS = new Set(['DS', 'IS', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV']);

const WORD_SIZE: Record<string, number> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/** Binary values in JSON are little endian whatever the file's byte order (PS3.18 F.2.7). */
function littleEndianBytes(ctx: ByteContext, el: DicomElement): Buffer {
  const bytes = ctx.source.subarray(el.offset, el.offset + el.length);
  const size = WORD_SIZE[el.vr];
  if (ctx.littleEndian || !size) return bytes;
  return swapBytes(bytes, size);
}

function personName(value: string): Record<string, string> | null {
  if (value === '') return null;
  const [alphabetic, ideographic, phonetic] = value.split('=');
  const out: Record<string, string> = {};
  if (alphabetic) out.Alphabetic = alphabetic;
  if (ideographic) out.Ideographic = ideographic;
  if (phonetic) out.Phonetic = phonetic;
  return out;
}

function elementToJson(
  ctx: ByteContext,
  el: DicomElement,
  path: string[],
  opts: Required<Omit<DicomJsonOptions, 'bulkDataUri'>> & Pick<DicomJsonOptions, 'bulkDataUri'>,
): DicomJsonElement | undefined {
  const vr = el.vr;
  if (vr === 'SQ') {
    const items = (el.items ?? []).map((item) => datasetToJson(ctx, item, path, opts));
    return items.length > 0 ? { vr, Value: items } : { vr };
  }
  if (PIXEL_DATA_TAGS.has(el.tag) || BINARY_VRS.has(vr) || el.encapsulated) {
    const isPixelData = PIXEL_DATA_TAGS.has(el.tag);
    if (isPixelData && opts.excludePixelData) {
      const uri = opts.bulkDataUri?.(path);
      return uri ? { vr, BulkDataURI: uri } : { vr };
    }
    if (el.length === 0) return { vr };
    if (!el.encapsulated && el.length <= opts.inlineBinaryMaxBytes) {
      return { vr, InlineBinary: littleEndianBytes(ctx, el).toString('base64') };
    }
    const uri = opts.bulkDataUri?.(path);
    return uri ? { vr, BulkDataURI: uri } : { vr };
  }
  if (el.length === 0) return { vr };
  if (vr === 'AT') return { vr, Value: readNumbers(ctx, el).map(tagHex) };
  if (NUMBER_VRS.has(vr)) {
    if (vr === 'DS' || vr === 'IS') {
      const values = readStrings(ctx, el).map((v) =>
        v === '' || !Number.isFinite(Number(v)) ? null : Number(v),
      );
      return { vr, Value: values };
    }
    return { vr, Value: readNumbers(ctx, el) };
  }
  if (vr === 'PN') return { vr, Value: readStrings(ctx, el).map(personName) };
  if (vr === 'UI')
    return {
      vr,
      Value: rawString(ctx, el)
        .split('\\')
        .map((v) => v.replace(/\0+$/, '') || null),
    };
  return { vr, Value: readStrings(ctx, el).map((v) => (v === '' ? null : v)) };
}

function datasetToJson(
  ctx: ByteContext,
  ds: DicomDataset,
  parentPath: string[],
  opts: Required<Omit<DicomJsonOptions, 'bulkDataUri'>> & Pick<DicomJsonOptions, 'bulkDataUri'>,
): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  const tags = [...ds.keys()].sort((a, b) => a - b);
  for (const tag of tags) {
    // Group lengths carry no information in JSON and the file meta group is not part of the dataset.
    if (tag % 0x10000 === 0 || Math.floor(tag / 0x10000) === 0x0002) continue;
    const hex = tagHex(tag);
    const json = elementToJson(ctx, ds.get(tag)!, [...parentPath, hex], opts);
    if (json) out[hex] = json;
  }
  return out;
}

/** PS3.18 DICOM JSON of an instance (for WADO-RS /metadata and QIDO-RS responses). */
export function toDicomJson(
  input: Buffer | ParsedInstance,
  options: DicomJsonOptions = {},
): DicomJsonDataset {
  const parsed = Buffer.isBuffer(input) ? parseInstance(input) : input;
  return datasetToJson(parsed.context, parsed.dataset, [], {
    excludePixelData: options.excludePixelData ?? true,
    inlineBinaryMaxBytes: options.inlineBinaryMaxBytes ?? 1024,
    bulkDataUri: options.bulkDataUri,
  });
}
