import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('quotes separators and quotes, leaves empty cells for null, defuses formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', null],
          ['say "hi"', 0.5],
          ['=cmd()', 1],
        ],
      ),
    ).toBe('a,b\r\n"x,y",\r\n"say ""hi""",0.5\r\n\'=cmd(),1\r\n');
  });
});
