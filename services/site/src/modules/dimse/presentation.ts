import { isStorageSopClass } from '../ingest/sop-class.ts';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/**
 * Transfer syntaxes stored as received (never transcoded): the uncompressed ones, deflated, and
 * the encapsulated families in common use.
 */
export const ACCEPTED_TRANSFER_SYNTAXES = new Set([
  '1.2.840.10008.1.2', // implicit VR little endian
  '1.2.840.10008.1.2.1', // explicit VR little endian
  '1.2.840.10008.1.2.1.99', // deflated explicit VR little endian
  '1.2.840.10008.1.2.2', // explicit VR big endian (retired, still sent by old modalities)
  '1.2.840.10008.1.2.4.50', // JPEG baseline
  '1.2.840.10008.1.2.4.51', // JPEG extended
  '1.2.840.10008.1.2.4.57', // JPEG lossless
  '1.2.840.10008.1.2.4.70', // JPEG lossless SV1
  '1.2.840.10008.1.2.4.80', // JPEG-LS lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS near-lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.4.201', // HTJ2K lossless
  '1.2.840.10008.1.2.4.202', // HTJ2K lossless RPCL
  '1.2.840.10008.1.2.4.203', // HTJ2K
  '1.2.840.10008.1.2.5', // RLE lossless
]);

export type ContextDecision =
  | { accept: true; transferSyntaxUid: string }
  | { accept: false; reason: 'abstract-syntax' | 'transfer-syntax' };

/**
 * Verification takes implicit VR LE (the default every SCU offers); storage classes take the first
 * transfer syntax the SCU proposed that we store, so a compressed file needs no transcoding on the
 * sender's side either.
 */
export function decideContext(abstractSyntaxUid: string, proposed: string[]): ContextDecision {
  if (abstractSyntaxUid === VERIFICATION_SOP_CLASS) {
    const ts = proposed.find((t) => t === '1.2.840.10008.1.2' || t === '1.2.840.10008.1.2.1');
    return ts ? { accept: true, transferSyntaxUid: ts } : { accept: false, reason: 'transfer-syntax' };
  }
  if (!isStorageSopClass(abstractSyntaxUid)) return { accept: false, reason: 'abstract-syntax' };
  const ts = proposed.find((t) => ACCEPTED_TRANSFER_SYNTAXES.has(t));
  return ts ? { accept: true, transferSyntaxUid: ts } : { accept: false, reason: 'transfer-syntax' };
}
