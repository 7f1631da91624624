import { describe, expect, it } from 'vitest';
import { dcmjs } from '../synthetic/dcmjs-module.ts';
import { emptyPhiValues, type PhiValues } from './phi-values.ts';
import { findResidualPhi, ResidualPhiError, verifyNoResidualPhi } from './verify.ts';

type Dict = Record<string, { vr: string; Value?: unknown[] }>;

function file(dict: Dict): Buffer {
  const meta: Dict = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.7'] },
    '00020003': { vr: 'UI', Value: ['2.25.1'] },
    '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
  };
  const d = new dcmjs.data.DicomDict(meta);
  d.dict = dict as never;
  return Buffer.from(d.write());
}

const phi: PhiValues = {
  ...emptyPhiValues(),
  names: ['Haversham^Cordelia^Beatrix'],
  ids: ['MRN5550101', '4417'],
  dates: ['19610312'],
  addresses: ['17 Larkspur Row, Millbeck 20931'],
  phones: ['+1-555-867-5309'],
};

const text = (s: string): Dict => ({ '00204000': { vr: 'LT', Value: [s] } });

describe('verifyNoResidualPhi', () => {
  it.each([
    ['family name alone', 'seen by HAVERSHAM today'],
    ['given family order', 'Cordelia Haversham'],
    ['family, given', 'haversham, cordelia b'],
    ['PN form', 'Haversham^Cordelia'],
    ['ID inside text', 'ref MRN5550101x'],
    ['numeric ID', 'case 4417 follow-up'],
    ['DICOM date', 'born 19610312'],
    ['ISO date', 'born 1961-03-12'],
    ['DD/MM/YYYY', 'born 12/03/1961'],
    ['MM/DD/YYYY', 'born 03/12/1961'],
    ['written date', 'born 12 March 1961'],
    ['US written date', 'born March 12, 1961'],
    ['address', 'lives at 17 larkspur row'],
    ['phone', 'call (555) 867 5309'],
  ])('finds a %s in free text', (_label, value) => {
    expect(findResidualPhi(file(text(value)), phi).length).toBe(1);
  });

  it('finds PHI in private attributes, UN values, and nested sequences, naming the path', () => {
    const f = file({
      '00090010': { vr: 'LO', Value: ['VENDOR'] },
      '00091001': { vr: 'UN', Value: [new TextEncoder().encode('HAVERSHAM^CORDELIA').buffer] },
      '00400275': {
        vr: 'SQ',
        Value: [{ '00400260': { vr: 'SQ', Value: [{ '00080104': { vr: 'LO', Value: ['1961-03-12'] } }] } }],
      },
    });
    const paths = findResidualPhi(f, phi).map((x) => x.path);
    expect(paths).toEqual(['(0009,1001)', '(0040,0275)[0].(0040,0260)[0].(0008,0104)']);
  });

  it('does not flag clean values, numbers or unrelated UIDs', () => {
    const f = file({
      '00081030': { vr: 'LO', Value: ['CT CHEST WITH CONTRAST'] },
      '00280030': { vr: 'DS', Value: ['0.703125', '0.703125'] },
      '00080018': { vr: 'UI', Value: ['2.25.196103124417555867530912345'] },
    });
    expect(findResidualPhi(f, phi)).toEqual([]);
  });

  it('throws a typed error naming the attribute, never the value', () => {
    const f = file(text('Cordelia Haversham MRN5550101'));
    try {
      verifyNoResidualPhi(f, phi);
      throw new Error('expected a ResidualPhiError');
    } catch (error) {
      expect(error).toBeInstanceOf(ResidualPhiError);
      const e = error as ResidualPhiError;
      expect(e.code).toBe('DEID_RESIDUAL_PHI');
      expect(e.message).toContain('(0020,4000)');
      expect(e.message).not.toMatch(/haversham|cordelia|5550101/i);
      expect(JSON.stringify(e.findings)).not.toMatch(/haversham|cordelia|5550101/i);
    }
  });

  it('accepts a flat canary list, as the synthetic generator gives it', () => {
    const f = file(text('Cordelia Haversham'));
    expect(findResidualPhi(f, ['Haversham^Cordelia^^^', '19610312']).length).toBe(1);
  });
});
