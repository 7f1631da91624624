import { describe, expect, it } from 'vitest';
import { headerRows } from './header-rows.ts';

describe('header rows', () => {
  it('lists attributes in tag order with keywords, flattening sequences and hiding binary values', () => {
    const rows = headerRows({
      '00280010': { vr: 'US', Value: [512] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
      '00081140': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.3'] } }] },
      '7FE00010': { vr: 'OW', BulkDataURI: 'http://x/bulk' },
    });
    expect(rows.map((r) => [r.tag, r.keyword, r.value, r.depth])).toEqual([
      ['(0008,1140)', '', '1 item', 0],
      ['(0008,1155)', '', '1.2.3', 1],
      ['(0010,0010)', 'PatientName', 'Doe^Jane', 0],
      ['(0028,0010)', 'Rows', '512', 0],
      ['(7FE0,0010)', 'PixelData', '(binary)', 0],
    ]);
  });

  it('shortens very long values', () => {
    const [row] = headerRows({ '00081030': { vr: 'LO', Value: ['x'.repeat(500)] } });
    expect(row?.value.length).toBe(201);
  });
});
