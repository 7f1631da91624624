import { z } from 'zod';
import { DeidOptionsError } from './errors.ts';
import type { DeidProfile } from './profiles.ts';
import { deidOptionOverridesSchema } from './profiles.ts';

export const maskRectSchema = z.object({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

/** A pixel masking template (like RSNA CTP's pixel anonymizer): which images it fits and what to blank. */
export const maskTemplateSchema = z.object({
  name: z.string().min(1).max(64),
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  rects: z.array(maskRectSchema).min(1),
});
export type MaskTemplate = z.infer<typeof maskTemplateSchema>;

export const deidentifyInputSchema = z
  .object({
    profile: z.union([
      z.string(),
      z.custom<DeidProfile>((v) => typeof v === 'object' && v !== null && 'options' in v),
    ]),
    /** Site secret for UIDs, pseudonyms and date shifts (at least 16 characters or bytes). */
    secret: z.union([z.string().min(16), z.instanceof(Uint8Array).refine((b) => b.length >= 16)]),
    /** Pseudonym scope: the same patient gets unlinkable pseudonyms in different projects. */
    project: z.string().max(128).default(''),
    /** A stable patient key chosen by the site (e.g. its master patient index); defaults to Patient ID. */
    patientKey: z.string().optional(),
    /** Overrides the per-patient derived shift (days, usually negative) for Modified Dates. */
    dateShiftDays: z
      .number()
      .int()
      .min(-36500)
      .max(36500)
      .refine((d) => d !== 0, 'must not be 0: that would keep the real dates')
      .optional(),
    options: deidOptionOverridesSchema.optional(),
    pixelMasking: z.object({ templates: z.array(maskTemplateSchema) }).optional(),
    /** Refuse (typed error) instead of returning an object with a burned-in text risk that was not masked. */
    refuseBurnedIn: z.boolean().default(false),
    /** Run the residual-PHI check on the result (default on). */
    verify: z.boolean().default(true),
    /** 'full' lists every attribute; 'changes' omits attributes kept unchanged. */
    reportDetail: z.enum(['full', 'changes']).default('full'),
  })
  .strict();
export type DeidentifyInput = z.input<typeof deidentifyInputSchema>;
export type DeidentifyParams = z.output<typeof deidentifyInputSchema>;

/** Validates engine options; a bad option is a typed error naming the fields (the secret is never echoed). */
export function parseDeidentifyInput(opts: DeidentifyInput): DeidentifyParams {
  const r = deidentifyInputSchema.safeParse(opts);
  if (r.success) return r.data;
  throw new DeidOptionsError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
}
