import { z } from 'zod';

// The one place that says where the app's services live. The site serves `config.json` next to
// index.html; switching from Orthanc to the site is a change of `dicomwebUrl` and `auth` only.
const authSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('static'), token: z.string().min(1) }),
  z.object({
    kind: z.literal('oidc'),
    issuer: z.url(),
    clientId: z.string().min(1).default('annex-viewer'),
    scope: z.string().min(1).default('openid profile'),
  }),
]);

export const appConfigSchema = z.object({
  dicomwebUrl: z.string().min(1).default('/dicomweb'),
  /**
   * The DICOMweb root a task's images are read from, `{projectId}` standing for the task's project (the site:
   * `/dicomweb/projects/{projectId}`, where pseudonyms are the project's and only assigned studies are read).
   * Absent (e.g. Orthanc): tasks read `dicomwebUrl` too.
   */
  projectDicomwebUrl: z.string().min(1).includes('{projectId}').optional(),
  apiUrl: z.string().min(1).default('/api'),
  auth: authSchema.default({ kind: 'none' }),
});

export type AppConfig = z.infer<typeof appConfigSchema>;

/** The DICOMweb root for a task of this project (the plain root without a project or a project root). */
export function dicomwebUrlFor(config: AppConfig, projectId?: string): string {
  if (!projectId || !config.projectDicomwebUrl) return config.dicomwebUrl;
  return config.projectDicomwebUrl.replace('{projectId}', encodeURIComponent(projectId));
}
export type AuthConfig = z.infer<typeof authSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Reads `config.json` beside the page; a missing file means same-origin defaults, a bad one is an error. */
export async function loadConfig(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<AppConfig> {
  const res = await fetchFn(new URL('config.json', baseUrl), { cache: 'no-store' });
  // 404, or a dev server's SPA fallback answering with index.html: no config, same-origin defaults.
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  if (res.status === 404 || (res.ok && !isJson)) return appConfigSchema.parse({});
  if (!res.ok) throw new ConfigError(`config.json could not be read (HTTP ${res.status})`);
  const parsed = appConfigSchema.safeParse(await res.json());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`config.json is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}
