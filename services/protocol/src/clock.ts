import { type Rejection, reject } from './reject-reason.ts';

/** Default accepted difference between sender and receiver clocks, both ways. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

export function checkClock(
  sentAtMs: number,
  nowMs: number,
  skewMs = DEFAULT_CLOCK_SKEW_MS,
): Rejection | null {
  const diff = nowMs - sentAtMs;
  if (Math.abs(diff) <= skewMs) return null;
  const where = diff > 0 ? 'in the past' : 'in the future';
  return reject(
    'CLOCK_SKEW',
    `sentAt ${Math.round(Math.abs(diff) / 1000)} s ${where}, window ±${skewMs / 1000} s`,
    true,
  );
}
