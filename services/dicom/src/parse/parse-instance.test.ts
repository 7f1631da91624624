import { describe, expect, it } from 'vitest';
import { dcmdumpProblems, readWithDcmjs, relabelTransferSyntax } from '../../test/dicom-tools.ts';
import { DicomParseError } from '../part10/errors.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { type DcmjsDict, el } from '../synthetic/dcmjs-dict.ts';
import { makeMrSeries } from '../synthetic/mr-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { writePart10 } from '../synthetic/part10-writer.ts';
import { toDicomPersonName } from '../synthetic/person-name.ts';
import { parseDataset, parseInstance } from './parse-instance.ts';

const ct = makeCtSeries({ slices: 3, rows: 64, cols: 64, pixelSpacing: 6, seed: 'parse' });
const file = ct.files[1]!;

function parseError(buf: Buffer): DicomParseError {
  try {
    parseInstance(buf);
  } catch (error) {
    if (error instanceof DicomParseError) return error;
    throw error;
  }
  throw new Error('expected a DicomParseError');
}

describe('parseInstance', () => {
  it('reads UIDs and index attributes that agree with dcmjs', () => {
    const p = parseInstance(file);
    const d = readWithDcmjs(file);
    expect(p.transferSyntaxUid).toBe(TransferSyntax.ExplicitVRLittleEndian);
    expect(p.sopClassUid).toBe(d.SOPClassUID);
    expect(p.sopInstanceUid).toBe(ct.sopInstanceUids[1]);
    expect(p.studyInstanceUid).toBe(d.StudyInstanceUID);
    expect(p.seriesInstanceUid).toBe(d.SeriesInstanceUID);
    expect(p.patientName).toBe(toDicomPersonName(ct.study.patient.name));
    expect(p.patientId).toBe(d.PatientID);
    expect(p.patientBirthDate).toBe(d.PatientBirthDate);
    expect(p.accessionNumber).toBe(ct.study.accessionNumber);
    expect(p.referringPhysicianName).toBe(toDicomPersonName(ct.study.referringPhysician));
    expect(p.modality).toBe('CT');
    expect(p.seriesNumber).toBe(2);
    expect(p.instanceNumber).toBe(2);
    expect([p.rows, p.columns, p.numberOfFrames, p.bitsAllocated]).toEqual([64, 64, 1, 16]);
    expect(p.pixelSpacing).toEqual([6, 6]);
    expect(p.imagePositionPatient).toEqual(d.ImagePositionPatient);
    expect(p.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
    expect(p.sliceThickness).toBe(1.25);
    expect(p.frameOfReferenceUid).toBe(ct.frameOfReferenceUid);
    expect([p.rescaleSlope, p.rescaleIntercept]).toEqual([1, -1024]);
    expect(p.windowCenter).toEqual([40]);
  });

  it('locates native pixel data without copying it', () => {
    const p = parseInstance(file);
    const frame = p.pixelData!.frames[0]!;
    expect(p.pixelData!.encapsulated).toBe(false);
    expect(frame.length).toBe(64 * 64 * 2);
    const dcmjsPixels = Buffer.from((readWithDcmjs(file).PixelData as ArrayBuffer[])[0]!);
    expect(p.context.source).toBe(file);
    expect(file.subarray(frame.offset, frame.offset + frame.length).equals(dcmjsPixels)).toBe(true);
  });

  it.each(['implicit', 'deflated', 'rle'] as const)('reads the same attributes from %s files', (ts) => {
    const other = makeCtSeries({
      slices: 3,
      rows: 64,
      cols: 64,
      pixelSpacing: 6,
      seed: 'parse',
      transferSyntax: ts,
    });
    const a = parseInstance(file);
    const b = parseInstance(other.files[1]!);
    const pick = (p: typeof a) => ({
      ...p,
      meta: 0,
      dataset: 0,
      context: 0,
      pixelData: 0,
      transferSyntaxUid: 0,
    });
    expect(pick(b)).toEqual(pick(a));
    expect(b.pixelData!.encapsulated).toBe(ts === 'rle');
    expect(b.pixelData!.frames).toHaveLength(1);
  });

  it('reads private elements, UN and nested sequences at depth 2', () => {
    const p = parseInstance(file);
    const privateName = p.dataset.get(0x00091001)!;
    expect(privateName.vr).toBe('LO');
    expect(p.dataset.get(0x00091003)!.vr).toBe('UN');
    const context = p.dataset.get(0x00400555)!.items![0]!;
    const content = context.get(0x0040a730)!.items![0]!;
    const personName = content.get(0x0040a123)!;
    expect(
      p.context.source.toString('latin1', personName.offset, personName.offset + personName.length).trim(),
    ).toBe(toDicomPersonName(ct.study.patient.name));
  });

  it('maps each frame of an RLE multi-frame object through the Basic Offset Table', () => {
    const mf = makeMultiframe({ frames: 5, rows: 32, cols: 32, seed: 'mf', transferSyntax: 'rle' });
    const p = parseInstance(mf.files[0]!);
    expect(p.numberOfFrames).toBe(5);
    expect(p.pixelData!.frames).toHaveLength(5);
    expect(p.pixelData!.basicOffsetTable!.length).toBe(20);
    const dcmjsFrames = readWithDcmjs(mf.files[0]!).PixelData as ArrayBuffer[];
    p.pixelData!.frames.forEach((frame, k) => {
      expect(frame.fragments).toHaveLength(1);
      const bytes = mf.files[0]!.subarray(frame.offset, frame.offset + frame.length);
      expect(bytes.equals(Buffer.from(dcmjsFrames[k]!))).toBe(true);
    });
    expect(p.framePositions).toHaveLength(5);
    expect(p.framePositions![4]![2]).toBeCloseTo(-10, 6);
    expect(p.pixelSpacing).toEqual([11.2, 11.2]);
  });

  it('parses a bare dataset (as DIMSE delivers it) given its transfer syntax', () => {
    const implicit = makeCtSeries({ slices: 1, rows: 16, cols: 16, seed: 'bare', transferSyntax: 'implicit' })
      .files[0]!;
    const bare = implicit.subarray(144 + implicit.readUInt32LE(140));
    const p = parseDataset(bare, TransferSyntax.ImplicitVRLittleEndian);
    expect(p.sopInstanceUid).toBe(parseInstance(implicit).sopInstanceUid);
    expect(p.meta.size).toBe(0);
    expect(p.pixelData!.frames[0]!.length).toBe(16 * 16 * 2);
    expect(() => parseDataset(bare, '1.2.3')).toThrow(DicomParseError);
  });

  it('skips an element with a VR newer than this reader as UN with a 32-bit length', () => {
    const p0 = parseInstance(file);
    const station = p0.dataset.get(0x00081010)!;
    // Rewrite StationName (SH, 16-bit length) as a hypothetical "ZZ" VR in the long form, same total size.
    const header = station.offset - 8;
    const patched = Buffer.concat([
      file.subarray(0, header),
      Buffer.from([0x08, 0x00, 0x10, 0x10, 0x5a, 0x5a, 0, 0]),
      Buffer.from(new Uint32Array([station.length - 4]).buffer),
      file.subarray(station.offset + 4),
    ]);
    const p = parseInstance(patched);
    expect(p.dataset.get(0x00081010)!.vr).toBe('UN');
    expect(p.sopInstanceUid).toBe(p0.sopInstanceUid);
    expect(p.pixelData!.frames[0]!.length).toBe(64 * 64 * 2);
  });

  it('reads frames of an object written with an Extended Offset Table and an empty Basic Offset Table', () => {
    const mf = makeMultiframe({ frames: 4, rows: 32, cols: 32, seed: 'eot', transferSyntax: 'rle' });
    const withBot = parseInstance(mf.files[0]!);
    const { _dict: dataset } = readWithDcmjs(mf.files[0]!) as { _dict: DcmjsDict };
    delete dataset['7FE00010'];
    const frames = withBot.pixelData!.frames.map((f) => mf.files[0]!.subarray(f.offset, f.offset + f.length));
    const file = writePart10({
      dataset,
      sopClassUid: mf.sopClassUid,
      sopInstanceUid: mf.sopInstanceUids[0]!,
      transferSyntaxUid: TransferSyntax.RLELossless,
      pixels: { kind: 'encapsulated', frames, offsetTable: 'extended' },
    });
    expect(dcmdumpProblems(file)).toEqual([]);
    const p = parseInstance(file);
    expect(p.dataset.get(0x7fe00001)!.vr).toBe('OV');
    expect(p.pixelData!.basicOffsetTable!.length).toBe(0);
    p.pixelData!.frames.forEach((frame, k) => {
      expect(file.subarray(frame.offset, frame.offset + frame.length).equals(frames[k]!)).toBe(true);
    });
  });

  it('reads sagittal MR geometry', () => {
    const mr = makeMrSeries({ slices: 2, rows: 32, cols: 32, seed: 'mr' });
    const p = parseInstance(mr.files[1]!);
    expect(p.imageOrientationPatient).toEqual([0, 1, 0, 0, 0, -1]);
    expect(p.bitsStored).toBe(12);
  });
});

describe('parseInstance errors', () => {
  it('rejects a buffer without the DICM prefix as NOT_DICOM', () => {
    expect(parseError(Buffer.alloc(400, 7)).code).toBe('NOT_DICOM');
    expect(parseError(Buffer.from('hello')).code).toBe('NOT_DICOM');
  });

  it('reports TRUNCATED for a file cut in its header or its pixel data', () => {
    expect(parseError(file.subarray(0, 600)).code).toBe('TRUNCATED');
    expect(parseError(file.subarray(0, file.length - 100)).code).toBe('TRUNCATED');
  });

  it('names the missing UID by keyword only', () => {
    const dataset = { '00080016': el('UI', '1.2.840.10008.5.1.4.1.1.7'), '00080018': el('UI', '1.2.3.4') };
    const e = parseError(
      writePart10({
        dataset,
        sopClassUid: '1.2.3',
        sopInstanceUid: '1.2.3.4',
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      }),
    );
    expect(e.code).toBe('MISSING_UID');
    expect(e.message).toContain('StudyInstanceUID');
  });

  it('detects explicit data labelled implicit, and implicit data labelled explicit', () => {
    const explicitAsImplicit = relabelTransferSyntax(file, TransferSyntax.ImplicitVRLittleEndian);
    expect(parseError(explicitAsImplicit).code).toBe('BAD_TRANSFER_SYNTAX');
    const implicit = makeCtSeries({
      slices: 1,
      rows: 16,
      cols: 16,
      seed: 'parse',
      transferSyntax: 'implicit',
    }).files[0]!;
    expect(parseError(relabelTransferSyntax(implicit, TransferSyntax.ExplicitVRLittleEndian)).code).toBe(
      'BAD_TRANSFER_SYNTAX',
    );
    expect(parseError(relabelTransferSyntax(file, TransferSyntax.DeflatedExplicitVRLittleEndian)).code).toBe(
      'BAD_TRANSFER_SYNTAX',
    );
  });

  it('rejects an unknown transfer syntax as UNSUPPORTED_TRANSFER_SYNTAX with status 415', () => {
    const e = parseError(relabelTransferSyntax(file, '1.2.3.4.5.6'));
    expect(e.code).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
    expect(e.status).toBe(415);
    expect(e.message).toContain('1.2.3.4.5.6');
  });

  it('does not echo a transfer syntax field that is not a UID', () => {
    const e = parseError(relabelTransferSyntax(file, ct.study.patient.name.family));
    expect(e.code).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
    expect(e.message).not.toContain(ct.study.patient.name.family);
  });

  it('never puts attribute values in error messages', () => {
    const broken = [
      file.subarray(0, 700),
      file.subarray(0, 1500),
      file.subarray(0, 3000),
      relabelTransferSyntax(file, TransferSyntax.ImplicitVRLittleEndian),
    ];
    for (const buf of broken) {
      const message = parseError(buf).message;
      for (const value of ct.phi) expect(message).not.toContain(value);
    }
  });
});
