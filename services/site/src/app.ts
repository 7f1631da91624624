import { createHttpApp, type DevIssuer, type TokenVerifier } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { SiteConfig } from './config.ts';
import type { PrismaClient } from './db.ts';
import type { Queues } from './jobs/queues.ts';
import { annotatorsPlugin } from './modules/annotators/plugin.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { decisionsPlugin } from './modules/decisions/plugin.ts';
import { dicomwebRoutes } from './modules/dicomweb/routes.ts';
import { exportRoutes } from './modules/exports/routes.ts';
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
import { drainPlugin } from './plugins/drain.ts';
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
  const app = await createHttpApp({
    name: 'annex-site',
    title: 'Annex site API',
    description: 'On-prem site service: ingest, DICOMweb, annotation.',
    logLevel: config.LOG_LEVEL,
    logStream: deps.logStream,
    webOrigins: config.WEB_ORIGINS,
    verifyToken: deps.verifyToken,
    bodyLimit: 64 * 1024 * 1024,
  });
  app.decorate('config', config);
  new Gauge({
    name: 'annex_site_queue_waiting_jobs',
    help: 'Jobs waiting per queue',
    labelNames: ['queue'],
    registers: [app.metrics],
    async collect() {
      for (const [queue, depth] of Object.entries(await deps.queues.depths())) this.set({ queue }, depth);
    },
  });
  await app.register(drainPlugin);
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
  // Before the task routes: its hook watches their claim route.
  await app.register(annotatorsPlugin);
  await app.register(taskRoutes);
  await app.register(webRoutes, deps.webRoot ? { root: deps.webRoot } : {});
  await app.register(dicomwebRoutes);
  await app.register(reidentifyPlugin);
  // After DICOMweb: exports read through its annotator view.
  await app.register(exportRoutes);
  await app.register(ingestPlugin);
  await app.register(aeRouteRoutes);
  await app.register(stowRoutes);
  await app.register(uploadRoutes);
  return app;
}
