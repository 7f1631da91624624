import { DISPLAY_NAME_PATTERN } from '@annex/protocol';

/** The parts of a verified token a display name may come from (staff identity, never DICOM). */
export interface NameClaims {
  /** The token's `name` claim ("Ana Müller"). */
  name?: string | undefined;
  /** `preferred_username` ("ana"). */
  username: string;
}

const tidy = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().slice(0, 64).trim();

/**
 * The name the cloud may show for an annotator: the token's `name`, else its username, as long as
 * it fits annotator.profile's pattern. A name that does not fit (markup, control characters, a
 * DICOM-style "DOE^JOHN") is not sent at all: the cloud then shows the pseudonym.
 */
export function displayNameOf(claims: NameClaims): string | undefined {
  for (const candidate of [claims.name, claims.username]) {
    if (typeof candidate !== 'string') continue;
    const name = tidy(candidate);
    if (DISPLAY_NAME_PATTERN.test(name)) return name;
  }
  return undefined;
}
