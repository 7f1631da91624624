import { createHash } from 'node:crypto';

/**
 * A strong validator for a representation: the hash of the stored content's hash (Instance.sha256) and every
 * input of the deterministic transform that made the response (view, frames, syntax). Same inputs, same bytes.
 */
export const strongEtag = (...parts: Array<string | number>) =>
  `"${createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 32)}"`;

/** If-None-Match (a list, or `*`) matches this ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** Instances and frames never change under their URL and ETag: cache them for a year, privately. */
export const IMMUTABLE = 'private, max-age=31536000, immutable';
/** Metadata and search results change as instances arrive: revalidate every time. */
export const REVALIDATE = 'private, no-cache';
