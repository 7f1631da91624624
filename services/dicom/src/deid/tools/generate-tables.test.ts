import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IOD_ATTRIBUTE_TYPES, NESTED_ATTRIBUTE_TYPES } from '../generated/iod-attribute-types.ts';
import { buildIodTypes, GDCM_XML_DIR } from './generate-tables.ts';

const haveGdcm = existsSync(join(GDCM_XML_DIR, 'Part3.xml'));

describe('generated IOD attribute types', () => {
  it.skipIf(!haveGdcm)(
    'match what the generator makes from the installed PS3.3 XML (the committed file is current)',
    () => {
      const { result, nested } = buildIodTypes();
      expect(IOD_ATTRIBUTE_TYPES).toEqual(result);
      expect(NESTED_ATTRIBUTE_TYPES).toEqual(Object.fromEntries(nested));
    },
  );

  it('cover the common image IODs with their Type 1/2 attributes', () => {
    expect(IOD_ATTRIBUTE_TYPES['1.2.840.10008.5.1.4.1.1.2']?.types['00100010']).toBe('2'); // CT: Patient's Name
    expect(IOD_ATTRIBUTE_TYPES['1.2.840.10008.5.1.4.1.1.4']?.types['0020000D']).toBe('1'); // MR: Study UID
    expect(IOD_ATTRIBUTE_TYPES['1.2.840.10008.5.1.4.1.1.66.4']?.iod).toBe('Segmentation IOD');
  });
});
