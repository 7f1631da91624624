import {
  authPlugin,
  type DevIssuer,
  installErrorHandler,
  loggerOptions,
  metricsPlugin,
  type TokenVerifier,
} from '@annex/platform';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { SiteConfig } from './config.ts';
import type { PrismaClient } from './db.ts';
import type { Queues } from './jobs/queues.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { decisionsPlugin } from './modules/decisions/plugin.ts';
import { dicomwebRoutes } from './modules/dicomweb/routes.ts';
import { healthRoutes } from './modules/health/routes.ts';
import { ingestPlugin } from './modules/ingest/context.ts';
import { stowRoutes } from './modules/ingest/stow/routes.ts';
import { projectRoutes } from './modules/projects/routes.ts';
import { reidentifyPlugin } from './modules/reidentify/plugin.ts';
import { aeRouteRoutes } from './modules/routing/routes.ts';
import { syncPlugin } from './modules/sync/plugin.ts';
import { taskRoutes } from './modules/tasks/routes.ts';
import { uploadRoutes } from './modules/uploads/routes.ts';
import { webRoutes } from './modules/web/routes.ts';
import { auditPlugin } from './plugins/audit.ts';
import { prismaPlugin } from './plugins/prisma.ts';
import { queuesPlugin } from './plugins/queues.ts';
import { storagePlugin } from './plugins/storage.ts';
import type { ObjectStore } from './storage/object-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: SiteConfig;
  }
}

/** The infrastructure an app runs on; main.ts makes the real ones, tests make their own. */
export interface SiteDeps {
  prisma: PrismaClient;
  storage: ObjectStore;
  redis: Redis;
  queues: Queues;
  verifyToken: TokenVerifier;
  /** The embedded OIDC issuer (demo and tests only), mounted at /realms/<realm>. */
  devIssuer?: DevIssuer;
  logStream?: NodeJS.WritableStream;
  /** Where the viewer's build is (default: web/site/dist of this checkout). */
  webRoot?: string;
}

/** Builds the site's HTTP app without listening, so tests can `inject()`. */
export async function buildApp(config: SiteConfig, deps: SiteDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logStream
      ? { ...loggerOptions(config.LOG_LEVEL, 'annex-site'), stream: deps.logStream }
      : loggerOptions(config.LOG_LEVEL, 'annex-site'),
    bodyLimit: 64 * 1024 * 1024,
    trustProxy: true,
    requestIdHeader: 'x-request-id',
  });
  app.decorate('config', config);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Annex site API',
        version: '0.1.0',
        description: 'On-prem site service: ingest, DICOMweb, annotation.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.addHook('onRoute', (route) => {
    // Swagger UI's own routes and assets are public; everything else keeps its own config.
    if (route.url.startsWith('/docs')) route.config = { ...(route.config as object), public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  await app.register(cors, {
    origin: config.WEB_ORIGINS.length ? config.WEB_ORIGINS : false,
    credentials: true,
    exposedHeaders: ['ETag', 'Content-Type', 'Content-Length', 'Warning'],
  });
  await app.register(metricsPlugin, { prefix: 'annex_site' });
  new Gauge({
    name: 'annex_site_queue_waiting_jobs',
    help: 'Jobs waiting per queue',
    labelNames: ['queue'],
    registers: [app.metrics],
    async collect() {
      for (const [queue, depth] of Object.entries(await deps.queues.depths())) this.set({ queue }, depth);
    },
  });
  await app.register(authPlugin, { verify: deps.verifyToken });
  await app.register(prismaPlugin, { prisma: deps.prisma });
  await app.register(storagePlugin, { storage: deps.storage });
  await app.register(queuesPlugin, { queues: deps.queues });
  await app.register(auditPlugin);

  if (deps.devIssuer) await deps.devIssuer.register(app);
  await app.register(healthRoutes, { redis: deps.redis });
  // Domain modules register here, one line each.
  await app.register(auditRoutes);
  await app.register(syncPlugin);
  await app.register(decisionsPlugin);
  await app.register(projectRoutes);
  await app.register(taskRoutes);
  await app.register(webRoutes, deps.webRoot ? { root: deps.webRoot } : {});
  await app.register(dicomwebRoutes);
  await app.register(reidentifyPlugin);
  await app.register(ingestPlugin);
  await app.register(aeRouteRoutes);
  await app.register(stowRoutes);
  await app.register(uploadRoutes);
  return app;
}
