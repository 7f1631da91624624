/** The denaturalized dataset shape dcmjs writes: tag hex (GGGGEEEE) → { vr, Value }. */
export interface DcmjsElement {
  vr: string;
  Value?: unknown[];
}
export type DcmjsDict = Record<string, DcmjsElement>;

export const el = (vr: string, ...values: Array<string | number>): DcmjsElement =>
  values.length === 0 ? { vr, Value: [] } : { vr, Value: values };

export const pn = (...names: string[]): DcmjsElement => ({
  vr: 'PN',
  Value: names.map((Alphabetic) => ({ Alphabetic })),
});

export const sq = (...items: DcmjsDict[]): DcmjsElement => ({ vr: 'SQ', Value: items });

export const code = (value: string, scheme: string, meaning: string): DcmjsDict => ({
  '00080100': el('SH', value),
  '00080102': el('SH', scheme),
  '00080104': el('LO', meaning),
});

/** Bytes for OB/UN values; padded to even length as PS3.5 requires. */
export function bytes(vr: 'OB' | 'UN', data: Uint8Array): DcmjsElement {
  const padded = new Uint8Array(data.length + (data.length % 2));
  padded.set(data);
  return { vr, Value: [padded.buffer] };
}
