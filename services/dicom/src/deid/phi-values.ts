import { z } from 'zod';

/**
 * The identifying values of one original object, by kind, so a verifier knows what must not survive. Event
 * dates and institution/device values are separate because some options legitimately keep them.
 */
export const phiValuesSchema = z.object({
  names: z.array(z.string()).default([]),
  ids: z.array(z.string()).default([]),
  dates: z.array(z.string()).default([]),
  eventDates: z.array(z.string()).default([]),
  addresses: z.array(z.string()).default([]),
  phones: z.array(z.string()).default([]),
  uids: z.array(z.string()).default([]),
  institutions: z.array(z.string()).default([]),
  devices: z.array(z.string()).default([]),
  other: z.array(z.string()).default([]),
});
export type PhiValues = z.infer<typeof phiValuesSchema>;
export type PhiKind = keyof PhiValues;

export function emptyPhiValues(): PhiValues {
  return phiValuesSchema.parse({});
}

/** Classifies a flat canary list (e.g. the synthetic generator's `phiValuesOf`) into kinds. */
export function classifyPhiStrings(values: readonly string[]): PhiValues {
  const out = emptyPhiValues();
  for (const raw of values) {
    const v = raw.trim();
    if (!v) continue;
    if (/^\d{8}$/.test(v) && isValidDa(v)) out.dates.push(v);
    else if (v.includes('^')) out.names.push(v);
    else if (/^\d+(\.\d+){2,}$/.test(v)) out.uids.push(v);
    else if (/^\+?[\d\s().-]{7,}$/.test(v) && v.replace(/\D/g, '').length >= 7) out.phones.push(v);
    else out.other.push(v);
  }
  return out;
}

export function isValidDa(v: string): boolean {
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(4, 6));
  const d = Number(v.slice(6, 8));
  return y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}
