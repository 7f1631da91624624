import { MONTH_NAMES as MONTHS } from '../dates/month-names.ts';

/** "19610312" → "12 March 1961": dates written the way clinicians type them in comments. */
export function humanDate(da: string): string {
  const month = MONTHS[Number(da.slice(4, 6)) - 1] ?? 'January';
  return `${Number(da.slice(6, 8))} ${month} ${da.slice(0, 4)}`;
}

/** "19610312" → "March 12, 1961". */
export function humanDateUs(da: string): string {
  const month = MONTHS[Number(da.slice(4, 6)) - 1] ?? 'January';
  return `${month} ${Number(da.slice(6, 8))}, ${da.slice(0, 4)}`;
}

/** "19610312" → "1961-03-12". */
export function isoDate(da: string): string {
  return `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;
}

export function formatDa(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}
