import { maskTemplateSchema } from '@annex/dicom';
import { z } from 'zod';

/** Pseudonyms (pt_…, st_…) or de-identified UIDs; bounded so one call cannot unmask a whole archive. */
export const reidentifyBody = z.strictObject({
  ids: z.array(z.string().min(1).max(64)).min(1).max(100),
});

export const maskTemplateBody = maskTemplateSchema.strict();
export const templateParams = z.strictObject({ id: z.uuid() });
export const maskingBody = z.strictObject({ enabled: z.boolean() });

export const projectParams = z.strictObject({ projectId: z.uuid() });
/** A project's own masking: on or off, and exactly which library templates apply (override, not addition). */
export const projectMaskingBody = z.strictObject({
  enabled: z.boolean(),
  templateIds: z.array(z.uuid()).max(100),
});
