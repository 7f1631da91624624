import { AppError } from '@annex/platform';
import { describe, expect, it } from 'vitest';
import { MAX_LIMIT, parseQidoQuery } from './qido-query.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.statusCode} ${error.code}` : String(error);
  }
  return 'no error';
};

describe('parseQidoQuery', () => {
  it('reads keywords and tags, wildcards, UID lists and date ranges', () => {
    const q = parseQidoQuery('study', {
      PatientName: 'DOE*',
      '00100020': 'PID?1',
      StudyDate: '20200101-20201231',
      StudyInstanceUID: '1.2.3,1.2.4',
      AccessionNumber: 'ACC1',
    });
    expect(q.filters).toEqual([
      { tag: '00100010', vr: 'PN', matcher: { kind: 'wildcard', pattern: 'DOE*' } },
      { tag: '00100020', vr: 'LO', matcher: { kind: 'wildcard', pattern: 'PID?1' } },
      { tag: '00080020', vr: 'DA', matcher: { kind: 'range', from: '20200101', to: '20201231' } },
      { tag: '0020000D', vr: 'UI', matcher: { kind: 'uids', values: ['1.2.3', '1.2.4'] } },
      { tag: '00080050', vr: 'SH', matcher: { kind: 'exact', value: 'ACC1' } },
    ]);
  });

  it('reads open-ended date ranges and a single date', () => {
    expect(parseQidoQuery('study', { StudyDate: '-20201231' }).filters[0]!.matcher).toEqual({
      kind: 'range',
      to: '20201231',
    });
    expect(parseQidoQuery('study', { StudyDate: '20200101-' }).filters[0]!.matcher).toEqual({
      kind: 'range',
      from: '20200101',
    });
    expect(parseQidoQuery('study', { StudyDate: '20200101' }).filters[0]!.matcher).toEqual({
      kind: 'exact',
      value: '20200101',
    });
  });

  it('turns a fuzzy person name into words, and an empty value into a returned attribute', () => {
    const q = parseQidoQuery('study', {
      PatientName: 'smith^jo',
      fuzzymatching: 'true',
      StudyDescription: '',
    });
    expect(q.filters[0]!.matcher).toEqual({ kind: 'fuzzy-name', tokens: ['smith', 'jo'] });
    expect(q.includeFields).toContain('00081030');
  });

  it('matches Modality at study level as ModalitiesInStudy', () => {
    expect(parseQidoQuery('study', { Modality: 'CT' }).filters[0]!.tag).toBe('00080061');
    expect(parseQidoQuery('series', { Modality: 'CT' }).filters[0]!.tag).toBe('00080060');
  });

  it('reads includefield lists, all, limit and offset, and caps the limit', () => {
    const q = parseQidoQuery('series', {
      includefield: ['SeriesDescription,00080021', 'all'],
      limit: '5000',
      offset: '10',
    });
    expect(q.includeFields).toEqual(['0008103E', '00080021']);
    expect(q.includeAll).toBe(true);
    expect(q.limit).toBe(MAX_LIMIT);
    expect(q.offset).toBe(10);
  });

  it.each([
    [{ StudyDate: '2020-01-01' }, '400 QIDO_BAD_DATE'],
    [{ StudyDate: '20201231-20200101' }, '400 QIDO_BAD_RANGE'],
    [{ StudyDate: '-' }, '400 QIDO_BAD_RANGE'],
    [{ StudyInstanceUID: '1.2.abc' }, '400 QIDO_BAD_UID'],
    [{ NotAKeyword: 'x' }, '400 QIDO_UNKNOWN_ATTRIBUTE'],
    [{ includefield: 'Nope' }, '400 QIDO_UNKNOWN_ATTRIBUTE'],
    [{ limit: '-1' }, '400 QIDO_BAD_PAGING'],
    [{ limit: '0' }, '400 QIDO_BAD_PAGING'],
    [{ offset: 'ten' }, '400 QIDO_BAD_PAGING'],
    [{ fuzzymatching: 'yes' }, '400 QIDO_BAD_FUZZY'],
    [{ PatientID: ['a', 'b'] }, '400 QIDO_REPEATED_PARAMETER'],
    [{ SeriesNumber: 'two' }, '400 QIDO_BAD_NUMBER'],
    [{ '00400275.00401001': 'x' }, '400 QIDO_UNSUPPORTED_KEY'],
    [{ PatientName: 'x'.repeat(300) }, '400 QIDO_VALUE_TOO_LONG'],
  ])('refuses %j with a stable code', (params, code) => {
    expect(codeOf(() => parseQidoQuery('study', params))).toBe(code);
  });

  it('never echoes a value in an error message', () => {
    try {
      parseQidoQuery('study', { StudyDate: 'DOE^JANE' });
    } catch (error) {
      expect((error as Error).message).not.toContain('DOE');
    }
  });
});
