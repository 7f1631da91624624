/**
 * Retain Safe Private (PS3.15 E.3.10): the few private attributes kept when the option is on. Each is a
 * numeric or coded acquisition parameter needed to interpret images (diffusion b-values, scaling), known not to
 * carry identity. An attribute is kept only if its private creator matches exactly, and only if its value still
 * reads as the declared VR (a numeric string, binary floats, a code string): anything else is removed.
 */
export interface SafePrivateAttribute {
  creator: string;
  group: number;
  /** Element number within the creator's block (the low byte). */
  offset: number;
  vr: 'IS' | 'DS' | 'FL' | 'FD' | 'CS' | 'US' | 'SS';
  meaning: string;
}

export const SAFE_PRIVATE: readonly SafePrivateAttribute[] = [
  { creator: 'SIEMENS MR HEADER', group: 0x0019, offset: 0x0c, vr: 'IS', meaning: 'B value' },
  {
    creator: 'SIEMENS MR HEADER',
    group: 0x0019,
    offset: 0x0d,
    vr: 'CS',
    meaning: 'Diffusion directionality',
  },
  {
    creator: 'SIEMENS MR HEADER',
    group: 0x0019,
    offset: 0x0e,
    vr: 'FD',
    meaning: 'Diffusion gradient direction',
  },
  { creator: 'GEMS_PARM_01', group: 0x0043, offset: 0x39, vr: 'IS', meaning: 'Slop int 6..9 (b value)' },
  { creator: 'Philips Imaging DD 001', group: 0x2001, offset: 0x03, vr: 'FL', meaning: 'Diffusion b factor' },
  { creator: 'Philips MR Imaging DD 001', group: 0x2005, offset: 0x0d, vr: 'FL', meaning: 'Scale intercept' },
  { creator: 'Philips MR Imaging DD 001', group: 0x2005, offset: 0x0e, vr: 'FL', meaning: 'Scale slope' },
];

const byKey = new Map(SAFE_PRIVATE.map((a) => [`${a.creator}\0${a.group}\0${a.offset}`, a]));

export function findSafePrivate(
  creator: string,
  group: number,
  offset: number,
): SafePrivateAttribute | undefined {
  return byKey.get(`${creator}\0${group}\0${offset}`);
}

/** Whether raw value bytes still read as the declared VR, so nothing textual rides along. */
export function valueFitsSafeVr(vr: SafePrivateAttribute['vr'], value: Uint8Array): boolean {
  const text = () => String.fromCharCode(...value).replace(/[\0 ]+$/, '');
  switch (vr) {
    case 'IS':
      return /^ *[+-]?\d{1,12} *(\\ *[+-]?\d{1,12} *)*$/.test(text());
    case 'DS':
      return /^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *(\\ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *)*$/.test(
        text(),
      );
    case 'CS':
      return text()
        .split('\\')
        .every((v) => v.length <= 16 && /^[A-Z0-9 _]*$/.test(v));
    case 'FL':
      return value.length % 4 === 0;
    case 'FD':
      return value.length % 8 === 0;
    case 'US':
    case 'SS':
      return value.length % 2 === 0;
  }
}
