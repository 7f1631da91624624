import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface WebAppOptions {
  /** The app's build folder (vite's dist). */
  root: string;
  /** What the app reads as `config.json` (service URLs, the issuer to sign in with). */
  config: () => Record<string, unknown>;
  /** Shown at `/` when the build is missing. */
  buildHint: string;
}

/**
 * Serves a single-page app at `/` beside the API: `config.json` made from the service's own
 * settings (never cached), hashed assets immutable, index.html revalidated. Everything registered
 * here is public — the shell and its assets hold no data; the API keeps its tokens. Register it
 * in its own (encapsulated) context.
 */
export async function webAppRoutes(app: FastifyInstance, options: WebAppOptions) {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true };
  });
  const hidden = { hide: true } as Record<string, unknown>;
  app.get('/config.json', { schema: hidden }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return options.config();
  });
  if (!existsSync(path.join(options.root, 'index.html'))) {
    app.get('/', { schema: hidden }, async (_request, reply) =>
      reply.code(503).type('text/plain').send(options.buildHint),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: '/',
    index: 'index.html',
    wildcard: false,
    cacheControl: false,
    setHeaders(reply, file) {
      reply.header(
        'cache-control',
        file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
