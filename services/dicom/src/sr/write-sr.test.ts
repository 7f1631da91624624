import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, runOnFile } from '../../test/dicom-tools.ts';
import { type MeasurementReportInput, writeMeasurementReport } from './write-sr.ts';

// dciodvfy checks the Comprehensive SR IOD; dcmtk's dsrdump (another reader) renders the content tree.

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MF = '1.2.840.10008.5.1.4.1.1.7.3';

const report = (over: Partial<MeasurementReportInput> = {}): MeasurementReportInput => ({
  measurements: [
    {
      kind: 'length',
      label: {
        id: 'lesion-diameter',
        name: 'Lesion diameter',
        code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
      },
      value: 12.345678,
      points: [
        [10, 20],
        [30, 40],
      ],
      image: { sopClassUid: CT, sopInstanceUid: '2.25.100', frameNumber: 1, multiFrame: false },
    },
    {
      kind: 'angle',
      label: { id: 'cobb', name: 'Cobb angle' },
      value: 42.5,
      points: [
        [1, 1],
        [5, 5],
        [9, 1],
      ],
      image: { sopClassUid: MF, sopInstanceUid: '2.25.200', frameNumber: 3, multiFrame: true },
    },
  ],
  classifications: [{ id: 'malignancy', question: 'Malignancy', answer: 'probably benign', target: 'study' }],
  patient: { PatientName: 'ANNEX^P-1', PatientID: 'P-1' },
  studyInstanceUid: '2.25.1',
  evidence: [
    { seriesInstanceUid: '2.25.10', sopClassUid: CT, sopInstanceUid: '2.25.100' },
    { seriesInstanceUid: '2.25.20', sopClassUid: MF, sopInstanceUid: '2.25.200' },
  ],
  seriesInstanceUid: '2.25.900',
  sopInstanceUid: '2.25.901',
  seriesNumber: 9002,
  instanceNumber: 1,
  manufacturer: 'Annex',
  softwareVersions: 'annex-test',
  contentDateTime: new Date('2026-12-06T10:00:00Z'),
  ...over,
});

const dsrdump = (file: Buffer) => {
  const out = runOnFile('dsrdump', file, ['+Pl', '+Pu', '+Pc', '+Pt']);
  expect(out.status, out.output).toBe(0);
  return out.output;
};

describe('writeMeasurementReport (TID 1500)', () => {
  it('writes a Comprehensive SR dciodvfy passes, with each measurement, its unit, region and image', () => {
    const sr = writeMeasurementReport(report());
    expect(dciodvfyErrors(sr)).toEqual([]);
    const tree = dsrdump(sr);
    expect(tree).toContain('Imaging Measurement Report');
    expect(tree).toMatch(/TID 1500/);
    expect(tree).toMatch(/<contains NUM:\(410668003,SCT,"Length"\)="12\.345678" \(mm,UCUM,"millimeter"\)>/);
    expect(tree).toMatch(/<contains NUM:\(1483009,SCT,"Angle"\)="42\.5" \(deg,UCUM,"degree"\)>/);
    expect(tree).toMatch(/<inferred from SCOORD:\(111030,DCM,"Image Region"\)=\(POLYLINE,10\/20,30\/40\)>/);
    expect(tree).toMatch(/<selected from IMAGE:=\(CT image,"2\.25\.100"\)>/);
    // The multi-frame image is referenced by frame.
    expect(tree).toMatch(/<selected from IMAGE:=\(SCw image,"2\.25\.200",3\)>/);
    expect(tree).toMatch(/<contains CODE:\(121071,DCM,"Finding"\)=\(52988006,SCT,"Lesion"\)>/);
    // No code in the instructions: Annex's local scheme names the finding.
    expect(tree).toMatch(/\(cobb,99ANNEX,"Cobb angle"\)/);
    expect(tree).toMatch(/<contains TEXT:\(malignancy,99ANNEX,"Malignancy"\)="probably benign">/);
  });

  it('writes classification answers alone when nothing was measured', () => {
    const sr = writeMeasurementReport(report({ measurements: [] }));
    expect(dciodvfyErrors(sr)).toEqual([]);
    const tree = dsrdump(sr);
    expect(tree).not.toContain('Image Library');
    expect(tree).toContain('probably benign');
  });
});
