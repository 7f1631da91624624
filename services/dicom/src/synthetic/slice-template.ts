import { tagName } from '../part10/dictionary.ts';
import type { DicomDataset } from '../part10/element.ts';
import { transferSyntaxTraits } from '../part10/transfer-syntax.ts';
import { DatasetWalker } from '../part10/walker.ts';
import { type DcmjsDict, el } from './dcmjs-dict.ts';
import { writeHeader } from './part10-writer.ts';

const SENTINEL_UID = `2.25.${'9'.repeat(39)}`;
const SENTINEL_DS = '-99999.9999';

/** A DS value widened to the sentinel's width with trailing zeros (same number, fixed layout). */
const zeroFilled = (value: string): string => {
  if (/e/i.test(value)) return value.padEnd(SENTINEL_DS.length);
  const decimal = value.includes('.') ? value : `${value}.`;
  return decimal.padEnd(SENTINEL_DS.length, '0');
};

const T = {
  MediaStorageSOPInstanceUID: 0x00020003,
  SOPInstanceUID: 0x00080018,
  InstanceNumber: 0x00200013,
  ImagePositionPatient: 0x00200032,
  SliceLocation: 0x00201041,
} as const;

export interface SliceFields {
  sopInstanceUid: string;
  instanceNumber: number;
  imagePositionPatient: readonly string[];
  sliceLocation: string;
}

/**
 * A series header written once by dcmjs, with the per-slice fields (SOP Instance UID, Instance Number, Image
 * Position, Slice Location) found by our own parser and overwritten in a copy for each slice. Serialising the
 * whole header per slice through dcmjs cost ~4 ms; a copy and five patches cost microseconds. Values are
 * padded as PS3.5 allows (trailing spaces for IS/DS, a NUL for UI), so the layout never moves.
 */
export class SliceHeaderTemplate {
  private readonly header: Buffer;
  private readonly spans: Record<keyof typeof T, { offset: number; length: number }>;

  constructor(dataset: DcmjsDict, sopClassUid: string, transferSyntaxUid: string) {
    const template: DcmjsDict = {
      ...dataset,
      '00080018': el('UI', SENTINEL_UID),
      '00200013': el('IS', '99999999'),
      '00200032': el('DS', SENTINEL_DS, SENTINEL_DS, SENTINEL_DS),
      '00201041': el('DS', SENTINEL_DS),
    };
    this.header = writeHeader({
      dataset: template,
      sopClassUid,
      sopInstanceUid: SENTINEL_UID,
      transferSyntaxUid,
    });
    const traits = transferSyntaxTraits(transferSyntaxUid)!;
    const walker = new DatasetWalker(this.header);
    const metaEnd = 144 + this.header.readUInt32LE(140);
    const meta = walker.readDataset(132, metaEnd, { explicitVr: true, littleEndian: true }).dataset;
    // writeHeader leaves a deflated dataset uncompressed (explicit VR) until assembly.
    const explicitVr = traits.deflated || traits.explicitVr;
    const body = walker.readDataset(metaEnd, this.header.length, { explicitVr, littleEndian: true }).dataset;
    const span = (ds: DicomDataset, tag: number) => {
      const element = ds.get(tag);
      if (!element) throw new Error(`slice template lacks ${tagName(tag)}`);
      return { offset: element.offset, length: element.length };
    };
    this.spans = {
      MediaStorageSOPInstanceUID: span(meta, T.MediaStorageSOPInstanceUID),
      SOPInstanceUID: span(body, T.SOPInstanceUID),
      InstanceNumber: span(body, T.InstanceNumber),
      ImagePositionPatient: span(body, T.ImagePositionPatient),
      SliceLocation: span(body, T.SliceLocation),
    };
  }

  /** A copy of the header with this slice's values. */
  slice(fields: SliceFields): Buffer {
    const out = Buffer.from(this.header);
    const put = (key: keyof typeof T, value: string, pad: string) => {
      const { offset, length } = this.spans[key];
      if (value.length > length) throw new Error(`value for ${key} does not fit the slice template`);
      out.write(value.padEnd(length, pad), offset, length, 'latin1');
    };
    put('MediaStorageSOPInstanceUID', fields.sopInstanceUid, '\0');
    put('SOPInstanceUID', fields.sopInstanceUid, '\0');
    put('InstanceNumber', String(fields.instanceNumber), ' ');
    // Each DS value may hold at most 16 bytes, padding included, so every component is filled to the
    // template's width: with trailing zeros, not spaces (valid either way, but dcm2niix misreads a
    // multi-valued DS with spaces inside it, and other readers may too).
    put('ImagePositionPatient', fields.imagePositionPatient.map(zeroFilled).join('\\'), ' ');
    put('SliceLocation', fields.sliceLocation, ' ');
    return out;
  }
}
