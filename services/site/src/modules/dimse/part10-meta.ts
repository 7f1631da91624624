/** Our implementation identity in every file meta header we write (2.25 = UUID-derived OID root). */
export const IMPLEMENTATION_CLASS_UID = '2.25.231797374462436411316457410848620312437';
export const IMPLEMENTATION_VERSION = 'ANNEX_0_1';

function element(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB';
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(elem, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** UIDs pad with NUL, text with space, to an even length (PS3.5 6.2). */
const padded = (text: string, pad: string) => Buffer.from(text.length % 2 ? text + pad : text, 'latin1');

export interface MetaInfo {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle?: string;
}

/**
 * Preamble, "DICM" and the File Meta Information (PS3.10 7.1) for a dataset received over the
 * network, so the stored object is the Part-10 file a C-STORE SCP like storescp writes: the
 * dataset bytes follow unchanged, in the transfer syntax they arrived in.
 */
export function part10Header(meta: MetaInfo): Buffer {
  const elements = [
    element(0x0002, 0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 0x0002, 'UI', padded(meta.sopClassUid, '\0')),
    element(0x0002, 0x0003, 'UI', padded(meta.sopInstanceUid, '\0')),
    element(0x0002, 0x0010, 'UI', padded(meta.transferSyntaxUid, '\0')),
    element(0x0002, 0x0012, 'UI', padded(IMPLEMENTATION_CLASS_UID, '\0')),
    element(0x0002, 0x0013, 'SH', padded(IMPLEMENTATION_VERSION, ' ')),
  ];
  if (meta.sourceAeTitle) elements.push(element(0x0002, 0x0016, 'AE', padded(meta.sourceAeTitle, ' ')));
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length, 0);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    element(0x0002, 0x0000, 'UL', groupLength),
    body,
  ]);
}
