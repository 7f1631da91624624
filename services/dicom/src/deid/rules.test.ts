import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IOD_ATTRIBUTE_TYPES } from './generated/iod-attribute-types.ts';
import { TABLE_E1_1 } from './generated/table-e1-1.ts';
import { deidOptionsSchema } from './profiles.ts';
import { resolveStandard } from './rules.ts';

const none = deidOptionsSchema.parse({});
const CT = IOD_ATTRIBUTE_TYPES['1.2.840.10008.5.1.4.1.1.2'];

describe('Table E.1-1 rules', () => {
  it('has all 621 rows of PS3.15 2024b', () => {
    expect(TABLE_E1_1).toHaveLength(621);
  });

  it('resolves combined actions by the attribute type in the IOD', () => {
    expect(CT?.iod).toBe('CT Image IOD');
    // Study Date X/D... is Z/D? Study Date is Z in E.1-1; Series Date X/D: Type 3 in CT -> X.
    expect(resolveStandard(0x00080021, none, CT, 0)?.code).toBe('X');
    // Acquisition Date X/Z: Type 3 in CT -> X; Content Date Z/D: Type 2C in CT -> Z.
    expect(resolveStandard(0x00080022, none, CT, 0)?.code).toBe('X');
    expect(resolveStandard(0x00080023, none, CT, 0)?.code).toBe('Z');
    // Institution Name X/Z/D: Type 3 -> X.
    expect(resolveStandard(0x00080080, none, CT, 0)?.code).toBe('X');
  });

  it('replaces instead of removing where the type is unknown (nested, or an IOD the tables lack)', () => {
    expect(resolveStandard(0x00080021, none, CT, 1)?.code).toBe('D');
    expect(resolveStandard(0x00080022, none, undefined, 0)?.code).toBe('Z');
    expect(resolveStandard(0x00081140, none, undefined, 0, true)?.code).toBe('U');
    expect(resolveStandard(0x00081110, none, undefined, 1, true)?.code).toBe('D');
  });

  it('resolves combined actions inside sequences by the item definition when the tables know it', () => {
    // Referenced Study Sequence (X/Z) is Type 3 inside Request Attributes Sequence: removed.
    expect(resolveStandard(0x00081110, none, CT, 1, true, 0x00400275)?.code).toBe('X');
    expect(resolveStandard(0x00081110, none, CT, 1, true, 0x00400275)?.rule).toContain(
      'in its sequence (00400275)',
    );
    // Requested Procedure Description (X/Z) is Type 3 there as well.
    expect(resolveStandard(0x00321060, none, CT, 1, false, 0x00400275)?.code).toBe('X');
  });

  it('is generated from the JSON copy of the standard table, row for row', () => {
    const rows = JSON.parse(
      readFileSync(fileURLToPath(new URL('./ps3.15-2024b-table-e1-1.json', import.meta.url)), 'utf8'),
    ) as Array<Record<string, string>>;
    expect(rows).toHaveLength(TABLE_E1_1.length);
    rows.forEach((row, i) => {
      const [tag, name, basic, opts] = TABLE_E1_1[i]!;
      expect(tag).toBe(row.tag!.replace(/[(),]/g, '').toUpperCase());
      expect([name, basic]).toEqual([row.name, row.basicProfile]);
      for (const [k, v] of Object.entries(opts)) expect(row[k]).toBe(v);
    });
  });

  it('lets options override the basic profile, keeping over cleaning', () => {
    const full = deidOptionsSchema.parse({ retainLongitudinalFullDates: true });
    const modified = deidOptionsSchema.parse({ retainLongitudinalModifiedDates: true });
    expect(resolveStandard(0x00080021, full, CT, 0)?.code).toBe('K');
    expect(resolveStandard(0x00080021, modified, CT, 0)?.code).toBe('C');
    const both = deidOptionsSchema.parse({
      retainDeviceIdentity: true,
      retainLongitudinalModifiedDates: true,
    });
    expect(resolveStandard(0x0018700c, both, CT, 0)?.code).toBe('K');
    expect(() =>
      deidOptionsSchema.parse({ retainLongitudinalFullDates: true, retainLongitudinalModifiedDates: true }),
    ).toThrow();
  });

  it('matches the repeating curve and overlay groups', () => {
    expect(resolveStandard(0x50020030, none, CT, 0)?.code).toBe('X');
    expect(resolveStandard(0x60023000, none, CT, 0)?.code).toBe('X');
    expect(resolveStandard(0x60024000, none, CT, 0)?.code).toBe('X');
    expect(resolveStandard(0x60020010, none, CT, 0)?.rule).toContain('whole overlay group');
    expect(resolveStandard(0x60023000, deidOptionsSchema.parse({ cleanGraphics: true }), CT, 0)?.code).toBe(
      'C',
    );
  });

  it('removes the other repeating groups: retired variable pixel data and source image IDs', () => {
    expect(resolveStandard(0x7f000010, none, CT, 0)?.code).toBe('X');
    expect(resolveStandard(0x00203100, none, CT, 0)?.code).toBe('X');
    expect(resolveStandard(0x7fe00010, none, CT, 0)).toBeUndefined();
  });

  it('names the standard revision in every rule', () => {
    expect(resolveStandard(0x00100010, none, CT, 0)?.rule).toContain('PS3.15 2024b');
  });
});
