import { TextDecoder } from 'node:util';

/** Text decoders for Specific Character Set (0008,0005) defined terms (PS3.3 C.12.1.1.2). */
const LABELS: Record<string, string> = {
  ISO_IR_6: 'latin1',
  ISO_IR_100: 'latin1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_166: 'windows-874',
  ISO_IR_13: 'shift_jis',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
  ISO_2022_IR_87: 'iso-2022-jp',
  ISO_2022_IR_159: 'iso-2022-jp',
  ISO_2022_IR_149: 'euc-kr',
};

const decoders = new Map<string, TextDecoder>();

/**
 * A decoder for the dataset's character set, or undefined when Latin-1 is right (no value, ASCII, Latin-1).
 * Code extension (several values, ISO 2022 escapes) is approximated: Japanese escapes go through the
 * iso-2022-jp decoder, other sets use their first non-default value's single decoder.
 */
export function decoderFor(specificCharacterSet: string | undefined): TextDecoder | undefined {
  if (!specificCharacterSet) return undefined;
  const terms = specificCharacterSet.split('\\').map((t) => t.trim().replace(/[\s-]/g, '_'));
  const term = terms.find((t) => t !== '' && t !== 'ISO_2022_IR_6') ?? terms[0] ?? '';
  const direct = LABELS[term] ?? LABELS[term.replace('ISO_2022_IR_', 'ISO_IR_')];
  if (!direct || direct === 'latin1') return undefined;
  let decoder = decoders.get(direct);
  if (!decoder) {
    decoder = new TextDecoder(direct);
    decoders.set(direct, decoder);
  }
  return decoder;
}
