import type { DElement } from './binary/element.ts';
import { TABLE_E1_1_REVISION } from './generated/table-e1-1.ts';
import type { DeidOptions, DeidProfile } from './profiles.ts';
import { encodeText } from './text-values.ts';

/** Attributes the marking step owns: any input value is replaced, so marking twice equals marking once. */
export const MARKING_TAGS = new Set([0x00120062, 0x00120063, 0x00120064, 0x00280303]);

/** CID 7050 De-identification Method codes (scheme DCM) for the profile and each option in use. */
const CID_7050: Array<[string, string, keyof DeidOptions | 'basic' | 'cleanPixelData']> = [
  ['113100', 'Basic Application Confidentiality Profile', 'basic'],
  ['113101', 'Clean Pixel Data Option', 'cleanPixelData'],
  ['113103', 'Clean Graphics Option', 'cleanGraphics'],
  ['113104', 'Clean Structured Content Option', 'cleanStructuredContent'],
  ['113105', 'Clean Descriptors Option', 'cleanDescriptors'],
  ['113106', 'Retain Longitudinal Temporal Information Full Dates Option', 'retainLongitudinalFullDates'],
  [
    '113107',
    'Retain Longitudinal Temporal Information Modified Dates Option',
    'retainLongitudinalModifiedDates',
  ],
  ['113108', 'Retain Patient Characteristics Option', 'retainPatientCharacteristics'],
  ['113109', 'Retain Device Identity Option', 'retainDeviceIdentity'],
  ['113110', 'Retain UIDs Option', 'retainUids'],
  ['113111', 'Retain Safe Private Option', 'retainSafePrivate'],
  ['113112', 'Retain Institution Identity Option', 'retainInstitutionIdentity'],
];

export function methodCodes(options: DeidOptions, pixelsCleaned: boolean): Array<[string, string]> {
  return CID_7050.filter(
    ([, , key]) => key === 'basic' || (key === 'cleanPixelData' ? pixelsCleaned : options[key]),
  ).map(([code, meaning]) => [code, meaning]);
}

/** Patient Identity Removed, De-identification Method (naming profile, standard and key) and its codes. */
export function markingElements(
  profile: DeidProfile,
  pixelsCleaned: boolean,
  keyId: string,
  longitudinal: 'MODIFIED' | 'UNMODIFIED' | 'REMOVED',
): DElement[] {
  const method = [`Annex ${profile.id}`, TABLE_E1_1_REVISION, `key ${keyId}`].join('\\');
  const items = methodCodes(profile.options, pixelsCleaned).map(([code, meaning]): DElement[] => [
    { tag: 0x00080100, vr: 'SH', value: encodeText('SH', code) },
    { tag: 0x00080102, vr: 'SH', value: encodeText('SH', 'DCM') },
    { tag: 0x00080104, vr: 'LO', value: encodeText('LO', meaning) },
  ]);
  return [
    { tag: 0x00120062, vr: 'CS', value: encodeText('CS', 'YES') },
    { tag: 0x00120063, vr: 'LO', value: encodeText('LO', method) },
    { tag: 0x00120064, vr: 'SQ', items },
    { tag: 0x00280303, vr: 'CS', value: encodeText('CS', longitudinal) },
  ];
}
