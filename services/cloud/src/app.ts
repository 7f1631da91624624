import { createHttpApp, type DevIssuer, type TokenVerifier } from '@annex/platform';
import type { Signer } from '@annex/protocol';
import type { FastifyInstance } from 'fastify';
import type { CloudConfig } from './config.ts';
import type { PrismaClient } from './db.ts';
import { createHubMetrics } from './modules/hub/hub-metrics.ts';
import { hubRoutes } from './modules/hub/routes.ts';
import { SyncHub } from './modules/hub/sync-hub.ts';
import { registerBuiltinHandlers } from './modules/inbox/builtin-handlers.ts';
import { InboxHandlers } from './modules/inbox/handlers.ts';
import { outboxRoutes } from './modules/outbox/routes.ts';
import { qcModule } from './modules/qc/qc-module.ts';
import { SiteKeyCache } from './modules/sites/key-cache.ts';
import { siteRoutes } from './modules/sites/routes.ts';
import { statusRoutes } from './modules/status/routes.ts';
import { studyRoutes } from './modules/studies/routes.ts';
import { type WebRoutesOptions, webRoutes } from './modules/web/routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: CloudConfig;
    prisma: PrismaClient;
    hub: SyncHub;
    /** Register how a site→cloud message type is applied (other modules, at start-up). */
    inboxHandlers: InboxHandlers;
  }
}

/** The infrastructure an app runs on; main.ts makes the real ones, tests make their own. */
export interface CloudDeps {
  prisma: PrismaClient;
  signer: Signer;
  verifyToken: TokenVerifier;
  /** The embedded OIDC issuer (demo and tests only), mounted at /realms/<realm>. */
  devIssuer?: DevIssuer;
  logStream?: NodeJS.WritableStream;
  /** Where the QC dashboard's build is (tests point it at a fixture). */
  web?: WebRoutesOptions;
}

/** Builds the cloud's HTTP + websocket app without listening, so tests can `inject()`. */
export async function buildApp(config: CloudConfig, deps: CloudDeps): Promise<FastifyInstance> {
  const app = await createHttpApp({
    name: 'annex-cloud',
    title: 'Annex cloud API',
    description: 'QC workflow and the site sync hub.',
    logLevel: config.LOG_LEVEL,
    logStream: deps.logStream,
    webOrigins: config.WEB_ORIGINS,
    verifyToken: deps.verifyToken,
  });
  app.decorate('config', config);
  app.decorate('prisma', deps.prisma);

  const handlers = new InboxHandlers();
  registerBuiltinHandlers(handlers);
  app.decorate('inboxHandlers', handlers);
  const hub: SyncHub = new SyncHub({
    prisma: deps.prisma,
    keys: new SiteKeyCache(deps.prisma, config.SYNC_KEY_CACHE_MS),
    signer: deps.signer,
    handlers,
    metrics: createHubMetrics(app.metrics, deps.prisma, () => hub.connectedSites()),
    log: app.log,
    skewMs: config.SYNC_CLOCK_SKEW_MS,
    batchSize: config.SYNC_APPLY_BATCH,
    verifyThreads: config.SYNC_VERIFY_THREADS,
  });
  app.decorate('hub', hub);

  if (deps.devIssuer) await deps.devIssuer.register(app);
  app.get('/healthz', { config: { public: true }, schema: { tags: ['health'] } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { config: { public: true }, schema: { tags: ['health'] } }, async (_request, reply) => {
    try {
      await deps.prisma.$queryRaw`SELECT 1`;
      return { status: 'ready' };
    } catch {
      reply.code(503);
      return { status: 'unavailable' };
    }
  });
  await app.register(hubRoutes);
  await app.register(siteRoutes);
  await app.register(studyRoutes);
  await app.register(outboxRoutes);
  await app.register(statusRoutes);
  await app.register(qcModule);
  await app.register(webRoutes, deps.web ?? {});
  return app;
}
