import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, dcmdumpProblems, readWithDcmjs } from '../../test/dicom-tools.ts';
import { decodeRleFrame } from '../frames/rle-decode.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { CT_IMAGE_STORAGE, makeCtSeries } from './ct-series.ts';
import { humanDate } from './human-date.ts';
import { toDicomPersonName } from './person-name.ts';
import { phantomValueAt } from './phantom.ts';
import { patientToPixel, pixelToPatient } from './series-options.ts';

type Naturalized = Record<string, unknown> & { _dict: Record<string, { vr: string; Value: unknown[] }> };
const read = (file: Buffer) => readWithDcmjs(file) as Naturalized;
const text = (value: unknown) => new TextDecoder().decode(value as ArrayBuffer);

describe('makeCtSeries', () => {
  const series = makeCtSeries({ slices: 6, rows: 128, cols: 128, pixelSpacing: 3, seed: 'ct-test' });

  it('writes CT Image Storage files that dcmjs re-parses with the planted identity and geometry', () => {
    const first = read(series.files[0]!);
    expect(first.SOPClassUID).toBe(CT_IMAGE_STORAGE);
    expect(first.SOPInstanceUID).toBe(series.sopInstanceUids[0]);
    expect(first.StudyInstanceUID).toBe(series.study.studyInstanceUid);
    expect(first.Rows).toBe(128);
    expect(first.RescaleIntercept).toBe(-1024);
    expect(first.PatientName).toEqual([{ Alphabetic: toDicomPersonName(series.study.patient.name) }]);
  });

  it('steps ImagePositionPatient along z by SpacingBetweenSlices and shares one frame of reference', () => {
    const slices = series.files.map(read);
    const frameOfReference = new Set(slices.map((s) => s.FrameOfReferenceUID));
    expect([...frameOfReference]).toEqual([series.frameOfReferenceUid]);
    slices.forEach((s, k) => {
      const ipp = s.ImagePositionPatient as number[];
      expect(s.InstanceNumber).toBe(k + 1);
      expect(ipp[2]).toBeCloseTo(-k * 1.25, 6);
      expect(s.SliceLocation).toBeCloseTo(ipp[2]!, 6);
      expect(s.ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
    });
    expect(new Set(series.sopInstanceUids).size).toBe(6);
    // Headers are patched copies of one template: the meta group must follow each slice's own UID.
    slices.forEach((s, k) => {
      const meta = s._meta as Record<string, { Value: string[] }>;
      expect(meta['00020003']!.Value[0]).toBe(series.sopInstanceUids[k]);
      expect(s.SOPInstanceUID).toBe(series.sopInstanceUids[k]);
    });
  });

  it('reports geometry exactly as the files say it (DS rounding included), for any matrix', () => {
    const odd = makeCtSeries({ slices: 2, rows: 96, cols: 80, seed: 'odd' });
    expect(odd.geometry.pixelSpacing).toEqual([3.7333, 3.7333]);
    odd.files.forEach((file, k) => {
      const s = read(file);
      expect(s.PixelSpacing).toEqual(odd.geometry.pixelSpacing);
      expect(s.ImagePositionPatient).toEqual(odd.geometry.positions[k]);
    });
  });

  it('maps pixel indices to patient space and back consistently', () => {
    const point = pixelToPatient(series.geometry, 3, 10, 20);
    const [row, column] = patientToPixel(series.geometry, 3, point);
    expect(row).toBeCloseTo(10, 9);
    expect(column).toBeCloseTo(20, 9);
  });

  it('stores the phantom HU at known pixels (rescaled by slope and intercept)', () => {
    const slice = 3;
    const pixels = new Uint16Array((read(series.files[slice]!).PixelData as ArrayBuffer[])[0]!);
    const lesion = series.phantom.shapes.find((s) => s.name === 'lesion')!;
    const [row, column] = patientToPixel(series.geometry, slice, [
      lesion.center[0],
      lesion.center[1],
      -slice * 1.25,
    ]);
    const at = (r: number, c: number) =>
      pixels[Math.round(r) * 128 + Math.round(c)]! + series.rescale.intercept;
    expect(at(row, column)).toBe(150);
    expect(at(0, 0)).toBe(-1000);
    const expected = phantomValueAt(series.phantom, pixelToPatient(series.geometry, slice, 64, 30));
    expect(at(64, 30)).toBe(expected);
  });

  it('plants PHI at top level, in nested sequences at depth 2, in private LO/DA/UN elements and in comments', () => {
    const s = read(series.files[0]!);
    const p = series.study.patient;
    const context = (s.AcquisitionContextSequence as Array<Record<string, unknown>>)[0]!;
    const content = (context.ContentSequence as Array<Record<string, unknown>>)[0]!;
    expect(content.PersonName).toEqual([{ Alphabetic: toDicomPersonName(p.name) }]);
    const request = (s.RequestAttributesSequence as Array<Record<string, unknown>>)[0]!;
    expect(request.AccessionNumber).toBe(series.study.accessionNumber);
    expect(request.RequestedProcedureID).toBe(series.study.requestedProcedureId);
    const otherIds = (s.OtherPatientIDsSequence as Array<Record<string, unknown>>).map((i) => i.PatientID);
    expect(otherIds).toEqual(p.otherIds);
    expect(s._dict['00091001']!.Value[0]).toBe(`${p.name.family}^${p.name.given}`);
    expect(s._dict['00091002']!.Value[0]).toBe(p.birthDate);
    expect(text(s._dict['00091003']!.Value[0])).toContain(p.id);
    expect(s.ImageComments).toContain(humanDate(p.birthDate));
    expect(s.ImageComments).toContain(p.name.family);
    expect(s.PatientAddress).toBe(p.address);
    expect(s.PatientMotherBirthName).toEqual([{ Alphabetic: toDicomPersonName(p.motherMaidenName) }]);
  });

  it('lists every planted value in phi, and each occurs in the file bytes', () => {
    const raw = series.files[0]!.toString('latin1');
    const planted = [
      series.study.accessionNumber,
      series.study.patient.id,
      series.study.patient.name.middle,
      humanDate(series.study.patient.birthDate),
      series.study.institutionName,
      series.study.patient.phone,
    ];
    for (const value of planted) {
      expect(series.phi).toContain(value);
      expect(raw).toContain(value);
    }
  });

  it('passes dciodvfy without errors and dcmdump reads it', () => {
    expect(dciodvfyErrors(series.files[0]!)).toEqual([]);
    expect(dcmdumpProblems(series.files[0]!)).toEqual([]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const again = makeCtSeries({ slices: 1, rows: 64, cols: 64, seed: 'ct-test' });
    const other = makeCtSeries({ slices: 1, rows: 64, cols: 64, seed: 'other-patient' });
    expect(again.study.patient).toEqual(series.study.patient);
    expect(
      again.files[0]!.equals(makeCtSeries({ slices: 1, rows: 64, cols: 64, seed: 'ct-test' }).files[0]!),
    ).toBe(true);
    expect(other.study.patient.id).not.toBe(series.study.patient.id);
    expect(other.study.studyInstanceUid).not.toBe(series.study.studyInstanceUid);
  });

  it.each([
    ['implicit', TransferSyntax.ImplicitVRLittleEndian],
    ['deflated', TransferSyntax.DeflatedExplicitVRLittleEndian],
    ['rle', TransferSyntax.RLELossless],
  ] as const)('writes %s transfer syntax that dcmdump and dcmjs read with the same pixels', (ts, uid) => {
    const reference = new Uint8Array((read(series.files[2]!).PixelData as ArrayBuffer[])[0]!);
    const encoded = makeCtSeries({
      slices: 6,
      rows: 128,
      cols: 128,
      pixelSpacing: 3,
      seed: 'ct-test',
      transferSyntax: ts,
    });
    const file = encoded.files[2]!;
    expect(dcmdumpProblems(file)).toEqual([]);
    const parsed = read(file);
    expect((parsed._meta as Record<string, { Value: string[] }>)['00020010']!.Value[0]).toBe(uid);
    expect(parsed.PatientID).toBe(series.study.patient.id);
    const stored = new Uint8Array((parsed.PixelData as ArrayBuffer[])[0]!);
    const pixels =
      ts === 'rle' ? decodeRleFrame(stored, { rows: 128, columns: 128, bitsAllocated: 16 }) : stored;
    expect(Buffer.from(pixels).equals(Buffer.from(reference))).toBe(true);
  });

  it('writes signed pixels with intercept 0 when asked', () => {
    const signed = makeCtSeries({
      slices: 1,
      rows: 32,
      cols: 32,
      pixelSpacing: 12,
      seed: 1,
      pixelRepresentation: 1,
    });
    const s = read(signed.files[0]!);
    expect(s.PixelRepresentation).toBe(1);
    expect(new Int16Array((s.PixelData as ArrayBuffer[])[0]!)[0]).toBe(-1000);
  });
});
