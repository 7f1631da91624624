import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
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

/**
 * Serves the QC dashboard at `/` and a `config.json` made from the cloud's own settings, so the
 * dashboard signs in against the issuer the API trusts. Missing build: the API still runs and `/`
 * says how to build the dashboard.
 */
export async function webRoutes(
  app: FastifyInstance,
  { root = DEFAULT_WEB_ROOT, clientId = DASHBOARD_CLIENT }: WebRoutesOptions = {},
) {
  // Everything in this (encapsulated) context is public: the app shell and its assets hold no data.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true };
  });
  const hidden = { hide: true } as Record<string, unknown>;
  app.get('/config.json', { schema: hidden }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return {
      apiUrl: '/api',
      siteViewers: siteViewers(app.config.SITE_VIEWER_URLS),
      auth: { kind: 'oidc', issuer: app.config.OIDC_ISSUER, clientId, scope: 'openid profile' },
    };
  });
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/', { schema: hidden }, async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('The QC dashboard is not built: run `npm run build -w web/cloud`.'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: 'index.html',
    wildcard: false,
    cacheControl: false,
    // Hashed assets are immutable; index.html must be revalidated so a new build is picked up.
    setHeaders(res, file) {
      res.setHeader(
        'cache-control',
        file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
