/** Character handling for text VRs: ASCII/Latin-1 by default, UTF-8 when the object declares ISO_IR 192. */
export type Charset = 'latin1' | 'utf8';

export function charsetOf(specificCharacterSet: string | undefined): Charset {
  return specificCharacterSet?.includes('ISO_IR 192') ? 'utf8' : 'latin1';
}

export function decodeText(value: Uint8Array, charset: Charset): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    .toString(charset)
    .replace(/[\0 ]+$/, '');
}

/** Encodes a text value padded to even length (UI with NUL, others with space), as PS3.5 requires. */
export function encodeText(vr: string, s: string, charset: Charset = 'latin1'): Uint8Array {
  const b = Buffer.from(s, charset);
  if (b.length % 2 === 0) return b;
  const out = Buffer.alloc(b.length + 1, vr === 'UI' ? 0 : 0x20);
  b.copy(out);
  return out;
}

const DUMMY_TEXT: Record<string, string> = {
  AE: 'ANONYMOUS',
  AS: '000Y',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UR: 'urn:anonymized',
  UT: 'ANONYMIZED',
};

const BINARY_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, SV: 8, UV: 8 };

/** A non-empty dummy value consistent with the VR (PS3.15 action D). UIDs are handled by the remapper. */
export function dummyValue(vr: string): Uint8Array {
  const text = DUMMY_TEXT[vr];
  if (text !== undefined) return encodeText(vr, text);
  const size = BINARY_SIZE[vr];
  if (size !== undefined) return new Uint8Array(size);
  return new Uint8Array(2); // OB/OW/UN/OF…: two zero bytes
}

export function isTextVr(vr: string): boolean {
  return vr in DUMMY_TEXT || vr === 'UI';
}
