import { createHmac } from 'node:crypto';

const DAY_MS = 86_400_000;

/**
 * One consistent shift per patient (Retain Longitudinal Temporal Information with Modified Dates): derived
 * from the site secret, the project and a stable patient key, between 1 and 3650 days into the past, so the
 * intervals between a patient's events are kept and their calendar dates are not.
 */
export function dateShiftDaysFor(secret: string | Uint8Array, patientKey: string, project = ''): number {
  const h = createHmac('sha256', secret).update(`annex-date-shift\0${project}\0${patientKey}`).digest();
  return -(1 + (h.readUInt32BE(0) % 3650));
}

/** Shifts one DA value (YYYYMMDD); returns undefined for a value that is not a valid date. */
export function shiftDa(da: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t + days * DAY_MS);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Shifts the date part of a DT value and keeps its time and offset; undefined when it has no full date. */
export function shiftDt(dt: string, days: number): string | undefined {
  const s = dt.trim();
  const date = shiftDa(s.slice(0, 8), days);
  return date === undefined ? undefined : date + s.slice(8);
}

/** Shifts each value of a multi-valued DA/DT string ("a\b"); values that cannot be read become empty. */
export function shiftDateValue(vr: 'DA' | 'DT', value: string, days: number): string {
  return value
    .split('\\')
    .map((v) => {
      if (v.trim() === '') return '';
      if (vr === 'DA' && v.includes('-')) {
        // A DA range query form "a-b" does not occur in stored objects; shift both ends anyway.
        return v
          .split('-')
          .map((p) => (p ? (shiftDa(p, days) ?? '') : ''))
          .join('-');
      }
      return (vr === 'DA' ? shiftDa(v, days) : shiftDt(v, days)) ?? '';
    })
    .join('\\');
}
