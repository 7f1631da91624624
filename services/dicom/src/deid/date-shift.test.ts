import { describe, expect, it } from 'vitest';
import { dateShiftDaysFor, shiftDa, shiftDateValue, shiftDt } from './date-shift.ts';

describe('date shifting', () => {
  it('derives one shift per patient and project, in the past, up to ten years', () => {
    const a = dateShiftDaysFor('secret-secret-secret-1', 'MRN1', 'p');
    expect(dateShiftDaysFor('secret-secret-secret-1', 'MRN1', 'p')).toBe(a);
    expect(a).toBeLessThan(0);
    expect(a).toBeGreaterThanOrEqual(-3650);
    const others = new Set(
      ['MRN2', 'MRN3', 'MRN4', 'MRN5'].map((m) => dateShiftDaysFor('secret-secret-secret-1', m, 'p')),
    );
    expect(others.size).toBeGreaterThan(1);
  });

  it('shifts across month, year and leap-day boundaries', () => {
    expect(shiftDa('20240301', -1)).toBe('20240229');
    expect(shiftDa('20230101', -1)).toBe('20221231');
    expect(shiftDa('not a date', -1)).toBeUndefined();
  });

  it('keeps the time and offset of a DT and shifts every value of a multi-valued DA', () => {
    expect(shiftDt('20240301101500.123+0100', -1)).toBe('20240229101500.123+0100');
    expect(shiftDateValue('DA', '20240301\\20240302', -1)).toBe('20240229\\20240301');
  });
});
