import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A short-lived download link for one export and one user, so a browser can hand a large bundle to its own
 * download manager (which resumes with Range) instead of holding it in page memory behind a bearer token.
 */
export const LINK_TTL_SECONDS = 15 * 60;

const sign = (secret: string, exportId: string, sub: string, expires: number) =>
  createHmac('sha256', secret)
    .update(`annex-export-download\0${exportId}\0${sub}\0${expires}`)
    .digest()
    .subarray(0, 24)
    .toString('base64url');

export function downloadLink(secret: string, exportId: string, sub: string, now = Date.now()) {
  const expires = Math.floor(now / 1000) + LINK_TTL_SECONDS;
  const q = new URLSearchParams({ sub, expires: String(expires), sig: sign(secret, exportId, sub, expires) });
  return { url: `/api/exports/${exportId}/download?${q}`, expiresAt: new Date(expires * 1000).toISOString() };
}

/** The user a link was made for, or undefined when it is forged, for another export, or expired. */
export function verifyDownloadLink(
  secret: string,
  exportId: string,
  q: { sub?: string; expires?: string; sig?: string },
  now = Date.now(),
): string | undefined {
  if (!q.sub || !q.expires || !q.sig || !/^\d{1,12}$/.test(q.expires)) return undefined;
  const expires = Number(q.expires);
  if (expires * 1000 < now) return undefined;
  const want = Buffer.from(sign(secret, exportId, q.sub, expires));
  const got = Buffer.from(q.sig);
  return want.length === got.length && timingSafeEqual(want, got) ? q.sub : undefined;
}
