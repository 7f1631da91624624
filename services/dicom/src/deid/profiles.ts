import { z } from 'zod';
import { DeidOptionsError } from './errors.ts';

/** The PS3.15 E.3 options, as switches. */
const OPTION_KEYS = [
  'retainSafePrivate',
  'retainUids',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'retainPatientCharacteristics',
  'retainLongitudinalFullDates',
  'retainLongitudinalModifiedDates',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
] as const;

/** Option overrides a caller may pass on top of a profile (only the ones given change). */
export const deidOptionOverridesSchema = z
  .object(
    Object.fromEntries(OPTION_KEYS.map((k) => [k, z.boolean().optional()])) as Record<
      (typeof OPTION_KEYS)[number],
      z.ZodOptional<z.ZodBoolean>
    >,
  )
  .strict();

export const deidOptionsSchema = z
  .object({
    retainSafePrivate: z.boolean().default(false),
    retainUids: z.boolean().default(false),
    retainDeviceIdentity: z.boolean().default(false),
    retainInstitutionIdentity: z.boolean().default(false),
    retainPatientCharacteristics: z.boolean().default(false),
    retainLongitudinalFullDates: z.boolean().default(false),
    retainLongitudinalModifiedDates: z.boolean().default(false),
    cleanDescriptors: z.boolean().default(false),
    cleanStructuredContent: z.boolean().default(false),
    cleanGraphics: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !(o.retainLongitudinalFullDates && o.retainLongitudinalModifiedDates), {
    message: 'Retain Longitudinal Full Dates and Modified Dates are mutually exclusive',
  });
export type DeidOptions = z.infer<typeof deidOptionsSchema>;

export interface DeidProfile {
  id: string;
  description: string;
  options: DeidOptions;
  /**
   * When set, the profile is an allow-list: only these top-level attributes survive (then still subject to
   * the profile's value checks); nothing else, no sequences, no private attributes, no pixel data.
   */
  allowList?: ReadonlySet<number>;
}

const base = deidOptionsSchema.parse({});

/**
 * Named configurations a project chooses from. Why each option is on:
 * - annotator-view: remote annotators label images. Age/sex/size/weight matter clinically; intervals between a
 *   patient's studies matter for follow-ups but calendar dates do not; series descriptions help pick a series
 *   (cleaned); safe private attributes carry acquisition parameters (b-values). No institution or device.
 * - research-export: the same plus cleaned structured content, for data sets leaving the project.
 * - cloud-metadata: the only DICOM attributes that may cross to the cloud (DESIGN.md rule 1). Not identifying on
 *   their own and needed for QC and task sizing; no UIDs (ids that cross are pseudonyms), no dates, no text.
 */
export const PROFILES: Readonly<Record<string, DeidProfile>> = {
  'annotator-view': {
    id: 'annotator-view',
    description: 'De-identified view for annotators inside the site',
    options: {
      ...base,
      retainSafePrivate: true,
      retainPatientCharacteristics: true,
      retainLongitudinalModifiedDates: true,
      cleanDescriptors: true,
    },
  },
  'research-export': {
    id: 'research-export',
    description: 'De-identified export of a project data set',
    options: {
      ...base,
      retainSafePrivate: true,
      retainPatientCharacteristics: true,
      retainLongitudinalModifiedDates: true,
      cleanDescriptors: true,
      cleanStructuredContent: true,
    },
  },
  'basic-profile': {
    id: 'basic-profile',
    description: 'PS3.15 Basic Application Level Confidentiality Profile without options',
    options: base,
  },
  'cloud-metadata': {
    id: 'cloud-metadata',
    description: 'Allow-listed, non-identifying image metadata for the cloud',
    options: base,
    allowList: new Set([
      0x00080008, // Image Type (CS)
      0x00080016, // SOP Class UID: a class, not an instance
      0x00080060, // Modality
      0x00180050, // Slice Thickness
      0x00180088, // Spacing Between Slices
      0x00200013, // Instance Number
      0x00200037, // Image Orientation (Patient): direction cosines only
      0x00280002, // Samples per Pixel
      0x00280004, // Photometric Interpretation
      0x00280008, // Number of Frames
      0x00280010, // Rows
      0x00280011, // Columns
      0x00280030, // Pixel Spacing
      0x00280100, // Bits Allocated
      0x00280101, // Bits Stored
      0x00280102, // High Bit
      0x00280103, // Pixel Representation
      0x00180015, // Body Part Examined: CS; kept only if it is a plain code string (checked)
    ]),
  },
};

export type ProfileName = keyof typeof PROFILES;

export function resolveProfile(profile: string | DeidProfile, overrides?: Partial<DeidOptions>): DeidProfile {
  const p = typeof profile === 'string' ? PROFILES[profile] : profile;
  if (!p) throw new DeidOptionsError([`profile: Unknown de-identification profile "${String(profile)}"`]);
  if (!overrides) return p;
  const r = deidOptionsSchema.safeParse({ ...p.options, ...overrides });
  if (!r.success) throw new DeidOptionsError(r.error.issues.map((i) => `options: ${i.message}`));
  return { ...p, options: r.data };
}
