import { z } from 'zod';
import { userId } from '../ids.ts';

// Letters (any script, with their combining marks), digits, space and . ' - _ @, starting with a
// letter or digit, 1–64 characters: a staff display name or login ("Dr. Ana Müller",
// "ana.mueller@hospital.example"), never free text, markup or control characters.
export const DISPLAY_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} .'_@-]{0,63}$/u;

// site→cloud: the display name of an annotator, sent only by a site that allows it
// (ANNOTATOR_NAMES_TO_CLOUD). A staff member's name from the site's identity provider, never a
// DICOM value; everything else the cloud knows about the person is the pseudonym.
export const annotatorProfileSchema = z.strictObject({
  annotatorId: userId,
  displayName: z.string().regex(DISPLAY_NAME_PATTERN),
});
export type AnnotatorProfile = z.infer<typeof annotatorProfileSchema>;
