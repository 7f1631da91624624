import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readPart10 } from '../deid/binary/read-part10.ts';
import { deidentify } from '../deid/deidentify.ts';
import { DeidError } from '../deid/errors.ts';
import { parseInstance } from '../parse/parse-instance.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { DicomParseError } from './errors.ts';
import { readFileMeta } from './file.ts';
import { TransferSyntax } from './transfer-syntax.ts';

// Ingest (parse/) and de-identification (deid/binary) read bytes through this one layer: whatever it accepts,
// rejects or repairs, both do. Each case here went differently in the two readers before they shared it.
const file = makeCtSeries({ slices: 1, rows: 16, cols: 16, seed: 'shared' }).files[0]!;
const secret = 'test-site-secret-0123456789';

/** Replaces the value of a top-level element (same length), found through the shared walker. */
function withHeaderBytes(buf: Buffer, tag: number, header: number[], lengthBytes: number[]): Buffer {
  const el = parseInstance(buf).dataset.get(tag)!;
  const start = el.offset - 8;
  return Buffer.concat([
    buf.subarray(0, start),
    Buffer.from(header),
    Buffer.from(lengthBytes),
    buf.subarray(start + header.length + lengthBytes.length),
  ]);
}

function deidCode(buf: Buffer): string {
  try {
    deidentify(buf, { profile: 'basic-profile', secret });
    return 'ok';
  } catch (error) {
    if (error instanceof DeidError) return error.code;
    return `untyped: ${(error as Error).name}`;
  }
}

describe('the shared Part-10 layer', () => {
  it('reads an element with a VR newer than the tables as UN with a 32-bit length, in both readers', () => {
    const station = parseInstance(file).dataset.get(0x00081010)!;
    // StationName (SH, 16-bit length) rewritten as a hypothetical "ZZ" VR in the long form, same total size.
    const patched = withHeaderBytes(
      file,
      0x00081010,
      [0x08, 0x00, 0x10, 0x10, 0x5a, 0x5a, 0, 0],
      [...Buffer.from(new Uint32Array([station.length - 4]).buffer)],
    );
    expect(parseInstance(patched).dataset.get(0x00081010)!.vr).toBe('UN');
    const deid = readPart10(patched).dataset;
    expect(deid.find((e) => e.tag === 0x00081010)!.vr).toBe('UN');
    // Everything after it is still found: the de-id reader used to take the reserved bytes as the length.
    expect(deid.find((e) => e.tag === 0x7fe00010)!.value!.length).toBe(16 * 16 * 2);
    expect(deidCode(patched)).toBe('ok');
  });

  it('finds the end of the file meta group by its elements, not a wrong group length', () => {
    const meta = readFileMeta(file);
    const lengthAt = 140; // (0002,0000) UL value, after preamble, DICM and its 8-byte header
    const wrong = Buffer.from(file);
    wrong.writeUInt32LE(file.readUInt32LE(lengthAt) - 10, lengthAt);
    expect(readFileMeta(wrong).end).toBe(meta.end);
    expect(parseInstance(wrong).sopInstanceUid).toBe(parseInstance(file).sopInstanceUid);
    expect(readPart10(wrong).dataset.length).toBe(readPart10(file).dataset.length);
    // A file cut inside the group is still TRUNCATED, not a missing transfer syntax.
    expect(() => readFileMeta(file.subarray(0, 150))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('accepts a zlib-wrapped deflated dataset in both readers', () => {
    const { end } = readFileMeta(file);
    const tsEl = parseInstance(file).meta.get(0x00020010)!;
    const uid = Buffer.from(TransferSyntax.DeflatedExplicitVRLittleEndian); // 22 characters: no padding
    // Relabel as deflated (the UID element grows, the group length follows) and zlib-wrap the dataset.
    const metaBytes = Buffer.concat([
      file.subarray(0, tsEl.offset - 2),
      Buffer.from(new Uint16Array([uid.length]).buffer),
      uid,
      file.subarray(tsEl.offset + tsEl.length, end),
    ]);
    metaBytes.writeUInt32LE(metaBytes.length - 144, 140);
    const wrapped = Buffer.concat([metaBytes, deflateSync(file.subarray(end))]);
    const parsed = parseInstance(wrapped);
    expect(parsed.transferSyntaxUid).toBe(TransferSyntax.DeflatedExplicitVRLittleEndian);
    expect(parsed.sopInstanceUid).toBe(parseInstance(file).sopInstanceUid);
    const deid = readPart10(wrapped);
    expect(deid.deflated).toBe(true);
    expect(deid.dataset.map((e) => e.tag)).toEqual(readPart10(file).dataset.map((e) => e.tag));
  });

  it('refuses a data set that repeats a tag for de-identification (one value would go unseen)', () => {
    // Relabel StudyDescription (0008,1030) as a second StationName (0008,1010): one tag twice, both valid.
    const study = parseInstance(file).dataset.get(0x00081030)!;
    const header = [...file.subarray(study.offset - 8, study.offset)];
    header[2] = 0x10;
    const twice = withHeaderBytes(file, 0x00081030, header.slice(0, 6), header.slice(6));
    expect(() => parseInstance(twice)).not.toThrow();
    expect(deidCode(twice)).toBe('DEID_MALFORMED_DICOM');
  });

  it('gives a typed error in both readers for every truncation, and the same verdict', () => {
    const untyped: string[] = [];
    const disagree: number[] = [];
    for (let cut = 0; cut < file.length; cut += 7) {
      const buf = file.subarray(0, cut);
      let parsed = 'ok';
      try {
        parseInstance(buf);
      } catch (error) {
        parsed = error instanceof DicomParseError ? 'error' : `untyped: ${(error as Error).name}`;
      }
      let read = 'ok';
      try {
        readPart10(buf);
      } catch (error) {
        read = error instanceof DeidError ? 'error' : `untyped: ${(error as Error).name}`;
      }
      if (parsed.startsWith('untyped') || read.startsWith('untyped'))
        untyped.push(`${cut}: ${parsed} ${read}`);
      // parseInstance also needs the UIDs; the structure verdict is what the readers share.
      if (read === 'ok' && parsed !== 'ok') {
        const code = (() => {
          try {
            parseInstance(buf);
          } catch (error) {
            return (error as DicomParseError).code;
          }
        })();
        if (code !== 'MISSING_UID') disagree.push(cut);
      }
      if (parsed === 'ok' && read !== 'ok') disagree.push(cut);
    }
    expect(untyped).toEqual([]);
    expect(disagree).toEqual([]);
  });
});
