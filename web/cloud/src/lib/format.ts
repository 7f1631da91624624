// Display helpers: numbers are shown with the precision a reviewer can act on; missing is "–".

export const fmt = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

export const pct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)} %`;

/** Seconds as the largest sensible unit: 45 s, 12 min, 5.2 h, 3.1 d. */
export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** A short form of a pseudonym for tables (the full one is in the title and the link). */
export const shortId = (id: string) => (id.length > 14 ? `${id.slice(0, 11)}…` : id);

export const when = (isoString: string | null | undefined) =>
  isoString ? new Date(isoString).toISOString().replace('T', ' ').slice(0, 16) : '–';
