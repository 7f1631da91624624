import { describe, expect, it } from 'vitest';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { el, pn } from '../synthetic/dcmjs-dict.ts';
import { writePart10 } from '../synthetic/part10-writer.ts';
import { toDicomJson } from './dicom-json.ts';
import { parseInstance } from './parse-instance.ts';

/** A file whose PatientName bytes are exactly `nameBytes` in the given character set. */
function fileWithName(charset: string, nameBytes: Buffer): Buffer {
  const placeholder = 'Q'.repeat(nameBytes.length);
  const file = writePart10({
    dataset: {
      '00080005': el('CS', ...charset.split('\\')),
      '00080016': el('UI', '1.2.840.10008.5.1.4.1.1.7'),
      '00080018': el('UI', '1.2.3.4.5'),
      '00100010': pn(placeholder),
      '0020000d': el('UI', '1.2.3'),
      '0020000e': el('UI', '1.2.3.4'),
    },
    sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
    sopInstanceUid: '1.2.3.4.5',
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
  });
  const at = file.indexOf(placeholder, 0, 'latin1');
  nameBytes.copy(file, at);
  return file;
}

describe('Specific Character Set', () => {
  it.each([
    ['ISO_IR 192', Buffer.from('Müller^Zoë', 'utf8'), 'Müller^Zoë'],
    ['ISO_IR 100', Buffer.from('Müller^Zoë', 'latin1'), 'Müller^Zoë'],
    [
      'ISO_IR 144',
      Buffer.from([0xb8, 0xd2, 0xd0, 0xdd, 0xde, 0xd2, 0x5e, 0xb8, 0xd2, 0xd0, 0xdd]),
      'Иванов^Иван',
    ],
    [
      'ISO 2022 IR 6\\ISO 2022 IR 87',
      Buffer.from('Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B', 'latin1'),
      'Yamada^Tarou=山田^太郎',
    ],
  ])('decodes person names in %s', (charset, bytes, expected) => {
    const parsed = parseInstance(fileWithName(charset, bytes));
    expect(parsed.patientName).toBe(expected);
    const json = toDicomJson(parsed);
    expect((json['00100010']!.Value![0] as { Alphabetic: string }).Alphabetic).toBe(expected.split('=')[0]);
  });

  it('reads text as Latin-1 when no character set is given', () => {
    const parsed = parseInstance(fileWithName('', Buffer.from('Muller^Zoe', 'latin1')));
    expect(parsed.patientName).toBe('Muller^Zoe');
  });
});
