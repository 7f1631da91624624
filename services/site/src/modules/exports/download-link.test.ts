import { describe, expect, it } from 'vitest';
import { downloadLink, LINK_TTL_SECONDS, verifyDownloadLink } from './download-link.ts';

const secret = 'a'.repeat(64);
const id = '5d0c3a52-8f7e-4c5e-9d36-0f3c9a1b2c3d';
const query = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

describe('export download links', () => {
  it('lets the user it was made for download that export until it expires', () => {
    const now = Date.UTC(2026, 11, 6, 12);
    const link = downloadLink(secret, id, 'user-1', now);
    expect(verifyDownloadLink(secret, id, query(link.url), now + 1000)).toBe('user-1');
    expect(
      verifyDownloadLink(secret, id, query(link.url), now + (LINK_TTL_SECONDS + 1) * 1000),
    ).toBeUndefined();
  });
  it('refuses a link for another export, another user, a changed expiry or another key', () => {
    const now = Date.now();
    const q = query(downloadLink(secret, id, 'user-1', now).url);
    expect(verifyDownloadLink(secret, id.replace('5d', '6d'), q, now)).toBeUndefined();
    expect(verifyDownloadLink(secret, id, { ...q, sub: 'user-2' }, now)).toBeUndefined();
    expect(
      verifyDownloadLink(secret, id, { ...q, expires: String(Number(q.expires) + 3600) }, now),
    ).toBeUndefined();
    expect(verifyDownloadLink('b'.repeat(64), id, q, now)).toBeUndefined();
    expect(verifyDownloadLink(secret, id, {}, now)).toBeUndefined();
  });
});
