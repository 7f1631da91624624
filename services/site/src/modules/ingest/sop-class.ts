/**
 * Composite object storage SOP classes (PS3.4 Annex B and the RT, hanging protocol, colour
 * palette and implant template families), plus private ones outside the DICOM root, which vendors
 * use for storage only. Query/retrieve, worklist, print and verification classes are refused.
 */
const STORAGE_PREFIXES = [
  '1.2.840.10008.5.1.4.1.1.',
  '1.2.840.10008.5.1.4.34.',
  '1.2.840.10008.5.1.4.38.',
  '1.2.840.10008.5.1.4.39.',
  '1.2.840.10008.5.1.4.43.',
  '1.2.840.10008.5.1.4.44.',
  '1.2.840.10008.5.1.4.45.',
];

export function isStorageSopClass(uid: string): boolean {
  if (!uid.startsWith('1.2.840.10008.')) return true;
  return STORAGE_PREFIXES.some((prefix) => uid.startsWith(prefix));
}

/** PS3.5 9.1: digits and dots, no leading zero in a component, at most 64 characters. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
export const isValidUid = (uid: string) => uid.length <= 64 && UID.test(uid);
