import { z } from 'zod';

// config.json, served by the cloud beside index.html: where the API is, which issuer to sign in
// with, and where each site's viewer lives inside its hospital network.
export const appConfigSchema = z.object({
  apiUrl: z.string().min(1).default('/api'),
  siteViewers: z.record(z.string(), z.url()).default({}),
  auth: z.object({
    kind: z.literal('oidc'),
    issuer: z.url(),
    clientId: z.string().min(1).default('annex-dashboard'),
    scope: z.string().min(1).default('openid profile'),
  }),
});
export type AppConfig = z.infer<typeof appConfigSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export async function loadConfig(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<AppConfig> {
  const res = await fetchFn(new URL('config.json', baseUrl), { cache: 'no-store' });
  if (!res.ok) throw new ConfigError(`config.json could not be read (HTTP ${res.status})`);
  const parsed = appConfigSchema.safeParse(await res.json());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`config.json is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}
