import { describe, expect, it } from 'vitest';
import { heatColor, matrixOf } from './pairwise-matrix.ts';

const p = {
  labelId: 'liver',
  metric: 'dice',
  pairs: [
    { annotatorA: 'usr_b', annotatorB: 'usr_a', value: 0.8 },
    { annotatorA: 'usr_a', annotatorB: 'usr_c', value: null },
  ],
};

describe('matrixOf', () => {
  it('is symmetric, keeps the page’s annotator order, and tells undefined from unreported', () => {
    const m = matrixOf(p, ['usr_c', 'usr_a', 'usr_z']);
    expect(m.ids).toEqual(['usr_c', 'usr_a', 'usr_b']);
    expect(m.value('usr_a', 'usr_b')).toBe(0.8);
    expect(m.value('usr_b', 'usr_a')).toBe(0.8);
    expect(m.value('usr_c', 'usr_a')).toBeNull();
    expect(m.value('usr_b', 'usr_c')).toBeUndefined();
  });
});

describe('heatColor', () => {
  it('runs from red at no agreement to green at full, kappa from −1', () => {
    expect(heatColor('dice', 0)).toBe('hsl(0 70% 85%)');
    expect(heatColor('dice', 1)).toBe('hsl(120 70% 85%)');
    expect(heatColor('cohen_kappa', 0)).toBe('hsl(60 70% 85%)');
    expect(heatColor('cohen_kappa', -1)).toBe('hsl(0 70% 85%)');
    expect(heatColor('dice', null)).toBeUndefined();
  });

  it('colours measurement differences the other way: green at 0, red from a reading disagreement on', () => {
    expect(heatColor('length_diff_mm', 0)).toBe('hsl(120 70% 85%)');
    expect(heatColor('length_diff_mm', 2.5)).toBe('hsl(60 70% 85%)');
    expect(heatColor('length_diff_mm', 40)).toBe('hsl(0 70% 85%)');
    expect(heatColor('angle_diff_deg', 15)).toBe('hsl(0 70% 85%)');
  });

  it("leaves differences of numeric answers uncoloured: their unit is the site's, not a scale", () => {
    expect(heatColor('number_diff', 0)).toBeUndefined();
    expect(heatColor('number_diff', 12)).toBeUndefined();
  });
});
