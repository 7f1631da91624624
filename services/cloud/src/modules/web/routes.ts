import { fileURLToPath } from 'node:url';
import { webAppRoutes } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_CLIENT } from '../../demo-users.ts';

/** The QC dashboard's build, served by the cloud on the same origin as the QC API. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../../../web/cloud/dist', import.meta.url));

export interface WebRoutesOptions {
  root?: string;
  /** The realm's public client the dashboard signs in with. */
  clientId?: string;
}

/** `siteId=url` pairs; a malformed pair is left out (the dashboard then shows no link for that site). */
export function siteViewers(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const url = pair.slice(at + 1);
    if (at > 0 && URL.canParse(url)) out[pair.slice(0, at)] = url;
  }
  return out;
}

/** The QC dashboard at `/`, signing in against the issuer the API trusts. */
export async function webRoutes(
  app: FastifyInstance,
  { root = DEFAULT_WEB_ROOT, clientId = DASHBOARD_CLIENT }: WebRoutesOptions = {},
) {
  await webAppRoutes(app, {
    root,
    buildHint: 'The QC dashboard is not built: run `npm run build -w web/cloud`.',
    config: () => ({
      apiUrl: '/api',
      siteViewers: siteViewers(app.config.SITE_VIEWER_URLS),
      auth: { kind: 'oidc', issuer: app.config.OIDC_ISSUER, clientId, scope: 'openid profile' },
    }),
  });
}
