import { describe, expect, it } from 'vitest';
import { convertWith, readWithDcmjs } from '../../test/dicom-tools.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { el } from '../synthetic/dcmjs-dict.ts';
import { writePart10 } from '../synthetic/part10-writer.ts';
import { toDicomPersonName } from '../synthetic/person-name.ts';
import { toDicomJson } from './dicom-json.ts';
import { parseInstance } from './parse-instance.ts';

const ct = makeCtSeries({ slices: 1, rows: 32, cols: 32, seed: 'json' });
const file = ct.files[0]!;

describe('toDicomJson', () => {
  const json = toDicomJson(file);

  it('writes PN as Alphabetic, numbers as numbers and strings split on backslash', () => {
    expect(json['00100010']).toEqual({
      vr: 'PN',
      Value: [{ Alphabetic: toDicomPersonName(ct.study.patient.name) }],
    });
    expect(json['00280010']).toEqual({ vr: 'US', Value: [32] });
    expect(json['00281052']).toEqual({ vr: 'DS', Value: [-1024] });
    expect(json['00200037']).toEqual({ vr: 'DS', Value: [1, 0, 0, 0, 1, 0] });
    expect(json['00080008']).toEqual({ vr: 'CS', Value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] });
    expect(json['00201040']).toEqual({ vr: 'LO' });
  });

  it('recurses into sequences and keeps the same attributes dcmjs sees (minus meta and pixel data)', () => {
    const context = json['00400555']!.Value![0] as Record<string, { Value: unknown[] }>;
    const content = context['0040A730']!.Value[0] as Record<string, { Value: unknown[] }>;
    expect(content['0040A123']!.Value).toEqual([{ Alphabetic: toDicomPersonName(ct.study.patient.name) }]);
    const dcmjsTags = Object.keys(readWithDcmjs(file)._dict as object)
      .map((t) => t.toUpperCase())
      .filter((t) => t !== '7FE00010')
      .sort();
    expect(
      Object.keys(json)
        .filter((t) => t !== '7FE00010')
        .sort(),
    ).toEqual(dcmjsTags);
  });

  it('omits pixel data, or points at it with a BulkDataURI', () => {
    expect(json['7FE00010']).toEqual({ vr: 'OW' });
    const withUri = toDicomJson(parseInstance(file), { bulkDataUri: (path) => `/bulk/${path.join('/')}` });
    expect(withUri['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: '/bulk/7FE00010' });
  });

  it('inlines small binary values (private UN) as base64', () => {
    const un = json['00091003']!;
    expect(un.vr).toBe('UN');
    expect(Buffer.from(un.InlineBinary!, 'base64').toString('latin1')).toContain(ct.study.patient.id);
  });

  it('gives the same JSON for implicit VR files, where private elements become UN', () => {
    const implicit = makeCtSeries({
      slices: 1,
      rows: 32,
      cols: 32,
      seed: 'json',
      transferSyntax: 'implicit',
    });
    const other = toDicomJson(implicit.files[0]!);
    expect(other['00100010']).toEqual(json['00100010']);
    expect(other['00400275']).toEqual(json['00400275']);
    expect(other['00091001']!.vr).toBe('UN');
  });

  it('inlines OW values little endian even when the file is big endian', () => {
    const words = new Uint16Array([0x0102, 0x0304, 0xfffe]);
    const file = writePart10({
      dataset: {
        '00080016': el('UI', '1.2.840.10008.5.1.4.1.1.7'),
        '00080018': el('UI', '1.2.3.4.5'),
        '0020000d': el('UI', '1.2.3'),
        '0020000e': el('UI', '1.2.3.4'),
        '00281201': { vr: 'OW', Value: [words.buffer] },
      },
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    });
    const bigEndian = convertWith('dcmconv', ['+tb'], file);
    expect(parseInstance(bigEndian).transferSyntaxUid).toBe(TransferSyntax.ExplicitVRBigEndian);
    const expected = Buffer.from(words.buffer).toString('base64');
    expect(toDicomJson(file)['00281201']).toEqual({ vr: 'OW', InlineBinary: expected });
    expect(toDicomJson(bigEndian)['00281201']).toEqual({ vr: 'OW', InlineBinary: expected });
  });
});
