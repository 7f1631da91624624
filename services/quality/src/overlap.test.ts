import { describe, expect, it } from 'vitest';
import { diceFromCounts, iouFromCounts } from './overlap.ts';

describe('Dice and IoU', () => {
  it('are 1 for identical masks and 0 for disjoint ones', () => {
    expect(diceFromCounts({ a: 10, b: 10, both: 10 })).toBe(1);
    expect(iouFromCounts({ a: 10, b: 10, both: 10 })).toBe(1);
    expect(diceFromCounts({ a: 10, b: 7, both: 0 })).toBe(0);
    expect(iouFromCounts({ a: 10, b: 7, both: 0 })).toBe(0);
  });

  it('match a hand-computed case: |A|=4, |B|=6, |A∩B|=3', () => {
    expect(diceFromCounts({ a: 4, b: 6, both: 3 })).toBeCloseTo(0.6, 12);
    expect(iouFromCounts({ a: 4, b: 6, both: 3 })).toBeCloseTo(3 / 7, 12);
  });

  it('are symmetric and related by IoU = D / (2 − D)', () => {
    for (const c of [
      { a: 5, b: 9, both: 2 },
      { a: 100, b: 40, both: 33 },
    ]) {
      const d = diceFromCounts(c);
      expect(diceFromCounts({ a: c.b, b: c.a, both: c.both })).toBe(d);
      expect(iouFromCounts(c)).toBeCloseTo(d / (2 - d), 12);
    }
  });

  it('treat two empty masks as full agreement', () => {
    expect(diceFromCounts({ a: 0, b: 0, both: 0 })).toBe(1);
    expect(iouFromCounts({ a: 0, b: 0, both: 0 })).toBe(1);
  });
});
