/** Transfer syntax UIDs this package reads or writes, with the properties a reader needs to walk them. */
export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  RLELossless: '1.2.840.10008.1.2.5',
  JPEGBaseline8Bit: '1.2.840.10008.1.2.4.50',
  JPEGExtended12Bit: '1.2.840.10008.1.2.4.51',
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
  HTJ2KLossless: '1.2.840.10008.1.2.4.201',
  HTJ2KLosslessRPCL: '1.2.840.10008.1.2.4.202',
  HTJ2K: '1.2.840.10008.1.2.4.203',
} as const;

export interface TransferSyntaxTraits {
  explicitVr: boolean;
  littleEndian: boolean;
  deflated: boolean;
  encapsulated: boolean;
}

const native = (explicitVr: boolean, littleEndian = true, deflated = false): TransferSyntaxTraits => ({
  explicitVr,
  littleEndian,
  deflated,
  encapsulated: false,
});

const NATIVE: Record<string, TransferSyntaxTraits> = {
  [TransferSyntax.ImplicitVRLittleEndian]: native(false),
  [TransferSyntax.ExplicitVRLittleEndian]: native(true),
  [TransferSyntax.DeflatedExplicitVRLittleEndian]: native(true, true, true),
  [TransferSyntax.ExplicitVRBigEndian]: native(true, false),
};

/**
 * Traits of a transfer syntax, or undefined when unknown. Every UID under 1.2.840.10008.1.2.4 / .5 and the
 * registered encapsulated families is explicit VR little endian with encapsulated pixel data (PS3.5 A.4).
 */
export function transferSyntaxTraits(uid: string): TransferSyntaxTraits | undefined {
  const known = NATIVE[uid];
  if (known) return known;
  if (
    uid === TransferSyntax.RLELossless ||
    uid.startsWith('1.2.840.10008.1.2.4.') ||
    uid.startsWith('1.2.840.10008.1.2.6.')
  ) {
    return { explicitVr: true, littleEndian: true, deflated: false, encapsulated: true };
  }
  return undefined;
}
