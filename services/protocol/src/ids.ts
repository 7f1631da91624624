import { z } from 'zod';

// Identifiers that cross the boundary. Everything about a study, patient, task or person is a
// site-made pseudonym: `<kind>_<base64url of a keyed hash>` (DESIGN.md rule 2). The cloud can
// compare them, never reverse them. Kinds are fixed so a task id can never be passed as a study id.
// Prefixes match @annex/dicom's pseudonymize() (pt, st, se, in, usr, prj, ann; its bodies are 20
// characters); `tk` (task) and `exp` (label export) are this package's additions. `acc` (accession) never crosses.
export const PSEUDONYM_KINDS = ['pt', 'st', 'se', 'in', 'tk', 'prj', 'usr', 'ann', 'exp'] as const;
export type PseudonymKind = (typeof PSEUDONYM_KINDS)[number];

/** Any pseudonym, whatever its kind. */
export const PSEUDONYM_PATTERN = /^(pt|st|se|in|tk|prj|usr|ann|exp)_[A-Za-z0-9_-]{16,64}$/;

const patternFor = (kind: PseudonymKind) => new RegExp(`^${kind}_[A-Za-z0-9_-]{16,64}$`);

// The pattern bounds the length (at most 68 characters), so no separate max() check.
export const pseudonymId = (kind: PseudonymKind) => z.string().regex(patternFor(kind));

export const patientId = pseudonymId('pt');
export const studyId = pseudonymId('st');
export const seriesId = pseudonymId('se');
export const instanceId = pseudonymId('in');
export const taskId = pseudonymId('tk');
export const projectId = pseudonymId('prj');
export const userId = pseudonymId('usr');
export const annotationSetId = pseudonymId('ann');
export const exportId = pseudonymId('exp');

/** A site's id is chosen at registration by the cloud admin: a lowercase slug, not a pseudonym. */
export const SITE_ID_PATTERN = /^[a-z][a-z0-9-]{2,39}$/;
export const siteIdSchema = z.string().regex(SITE_ID_PATTERN);

/** Key id: base64url of the first 16 bytes of SHA-256 of the raw Ed25519 public key. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const kidSchema = z.string().regex(KID_PATTERN);

/** Label ids are project-defined short slugs ("liver", "lesion-2"), never DICOM text. */
export const labelIdSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/);

/** Stable machine codes (queue names, failure codes): UPPER_SNAKE or kebab slugs, bounded. */
export const errorCodeSchema = z.string().regex(/^[A-Z][A-Z0-9_]{1,47}$/);
export const queueNameSchema = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/);

/** UTC timestamp with milliseconds, exactly as Date.prototype.toISOString writes it. */
export const isoTimestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  .refine(isRealInstant, 'not a real UTC instant');

// Round-trip rejects impossible dates such as 2026-02-30 that Date.parse would roll over.
function isRealInstant(s: string): boolean {
  const ms = Date.parse(s);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === s;
}
