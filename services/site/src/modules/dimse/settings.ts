import type { SiteConfig } from '../../config.ts';

/** The DIMSE part of the site's configuration (validated with everything else in config.ts). */
export type DimseSettings = Pick<
  SiteConfig,
  'DIMSE_UNKNOWN_CALLED_AE' | 'DIMSE_MAX_PDU' | 'DIMSE_MAX_ASSOCIATIONS' | 'DIMSE_ASSOCIATION_TIMEOUT_MS'
>;

export const dimseSettingsOf = (config: SiteConfig): DimseSettings => config;
