/** The VR tables every reader and writer in this package uses (PS3.5 6.2, 7.1). */

/** Every VR of PS3.5 Table 6.2-1 this package knows. */
export const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
] as const;

/** Explicit VRs whose length field is 32 bits after two reserved bytes (PS3.5 Table 7.1-1). */
export const LONG_VRS: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/** VRs whose value is character data (string VRs, including the number strings DS and IS). */
export const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);

/** A VR by its two bytes as they appear in an explicit VR header (first byte * 256 + second). */
export const VR_BY_CODE: ReadonlyMap<number, string> = new Map(
  VRS.map((vr) => [vr.charCodeAt(0) * 256 + vr.charCodeAt(1), vr]),
);

/** An upper-case ASCII letter: a VR this package does not know is still two of these (PS3.5 6.2). */
export const isCapital = (byte: number): boolean => byte >= 0x41 && byte <= 0x5a;
