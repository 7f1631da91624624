import { describe, expect, it } from 'vitest';
import { cohenKappa, cohenKappaFromTable } from './cohen-kappa.ts';
import { fleissKappa, fleissKappaFromCounts } from './fleiss-kappa.ts';
import { krippendorffAlpha } from './krippendorff-alpha.ts';

describe("Cohen's kappa", () => {
  it('is 0.4 on the textbook 2×2 table (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no)', () => {
    expect(
      cohenKappaFromTable([
        [20, 5],
        [10, 15],
      ]),
    ).toBeCloseTo(0.4, 12);
  });

  it('gives the same from raw ratings, dropping items either rater skipped', () => {
    const a: (string | null)[] = [];
    const b: (string | null)[] = [];
    const push = (x: string, y: string, n: number) => {
      for (let i = 0; i < n; i++) {
        a.push(x);
        b.push(y);
      }
    };
    push('yes', 'yes', 20);
    push('yes', 'no', 5);
    push('no', 'yes', 10);
    push('no', 'no', 15);
    a.push(null, 'yes');
    b.push('no', null);
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
  });

  it('is 1 for perfect agreement, symmetric, and null when chance agreement is total', () => {
    expect(cohenKappa([1, 2, 3, 1], [1, 2, 3, 1])).toBe(1);
    const x = [1, 2, 2, 3, 1, 1, 2];
    const y = [1, 2, 3, 3, 2, 1, 2];
    expect(cohenKappa(x, y)).toBeCloseTo(cohenKappa(y, x)!, 12);
    expect(cohenKappa([1, 1, 1], [1, 1, 1])).toBeNull();
  });
});

describe("Fleiss' kappa", () => {
  // Worked example with 10 subjects, 14 raters, 5 categories (Wikipedia "Fleiss' kappa"): κ = 0.210.
  const table = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];

  it('is 0.210 on the 10-subject, 14-rater worked example', () => {
    expect(fleissKappaFromCounts(table)!).toBeCloseTo(0.20993, 5);
  });

  it('gives the same from per-item ratings', () => {
    const ratings = table.map((row) => row.flatMap((n, cat) => new Array<number>(n).fill(cat)));
    expect(fleissKappa(ratings)).toBeCloseTo(fleissKappaFromCounts(table)!, 12);
  });

  it('equals Scott-like agreement 1 for unanimous items and rejects a varying number of raters', () => {
    expect(
      fleissKappa([
        ['a', 'a', 'a'],
        ['b', 'b', 'b'],
      ]),
    ).toBe(1);
    expect(() =>
      fleissKappaFromCounts([
        [1, 2],
        [1, 1],
      ]),
    ).toThrow(/same number of raters/);
  });
});

describe("Krippendorff's alpha", () => {
  // Reliability data from Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units.
  const _ = null;
  const data = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ];

  it('is 0.743 nominal and 0.849 interval on the paper’s example with missing values', () => {
    expect(krippendorffAlpha(data, 'nominal')!).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(data, 'interval')!).toBeCloseTo(0.849, 3);
  });

  it('is 1 for perfect agreement and null when nothing varies', () => {
    expect(
      krippendorffAlpha(
        [
          [1, 2, 3],
          [1, 2, 3],
        ],
        'nominal',
      ),
    ).toBe(1);
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [1, 1],
        ],
        'nominal',
      ),
    ).toBeNull();
  });

  it('matches Cohen-like two-rater nominal data with the small-sample correction', () => {
    // Two raters, 4 units, 2 values: alpha = 1 − (n−1)·o_01·2 / (2·n_0·n_1).
    const a = krippendorffAlpha(
      [
        ['x', 'x', 'y', 'y'],
        ['x', 'y', 'y', 'y'],
      ],
      'nominal',
    )!;
    // n = 8 pairable values; o_xy = o_yx = 1; n_x = 3, n_y = 5 → 1 − 7·2/(2·15) = 0.5333…
    expect(a).toBeCloseTo(1 - 14 / 30, 12);
  });
});
