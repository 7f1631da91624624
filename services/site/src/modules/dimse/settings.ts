import { z } from 'zod';
import type { SiteConfig } from '../../config.ts';

/** DIMSE settings beyond config.ts's port and AE title (read from the same, loose, environment). */
const schema = z.object({
  DIMSE_UNKNOWN_CALLED_AE: z.enum(['reject', 'accept']).default('reject'),
  // Largest P-DATA PDU we announce; big PDUs mean fewer parse rounds per instance.
  DIMSE_MAX_PDU: z.coerce
    .number()
    .int()
    .min(16_384)
    .max(4 * 1024 * 1024)
    .default(1024 * 1024),
  DIMSE_MAX_ASSOCIATIONS: z.coerce.number().int().min(1).default(64),
  DIMSE_ASSOCIATION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(5 * 60_000),
});

export type DimseSettings = z.infer<typeof schema>;

export const dimseSettingsOf = (config: SiteConfig): DimseSettings => schema.parse(config);
