import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The viewer's build, served by the site on the same origin as the API and DICOMweb. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../../../web/site/dist', import.meta.url));

/**
 * Serves the annotator viewer at `/` with `config.json` made from the site's own settings (the
 * viewer signs in against the same issuer the API trusts). Missing build: the API still runs and
 * `/` says how to build the viewer.
 */
export async function webRoutes(app: FastifyInstance, { root = DEFAULT_WEB_ROOT }: { root?: string } = {}) {
  // Everything in this (encapsulated) context is public: the app shell and its assets hold no data.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true };
  });
  app.get('/config.json', { schema: { hide: true } as Record<string, unknown> }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return {
      dicomwebUrl: '/dicomweb',
      apiUrl: '/api',
      auth: {
        kind: 'oidc',
        issuer: app.config.OIDC_ISSUER,
        clientId: 'annex-viewer',
        scope: 'openid profile',
      },
    };
  });
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } as Record<string, unknown> }, async (_request, reply) =>
      reply.code(503).type('text/plain').send('The viewer is not built: run `npm run build -w web/site`.'),
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
