import type { FastifyInstance } from 'fastify';
import { SyncAgent } from './agent.ts';
import { loadSyncConfig } from './config.ts';
import { loadCloudKeys, loadSiteSigner } from './keys.ts';
import { createSyncMetrics } from './metrics.ts';
import { enqueueSiteStatus } from './site-status.ts';
import { type AnnounceCursor, announcePendingStudies } from './study-announcer.ts';

/**
 * Starts the sync role in this process (main.ts, ROLES includes `sync`): the agent, the periodic
 * site.status, and the announcer that queues study.available for newly ingested studies.
 */
export async function startSyncAgent(
  app: FastifyInstance,
  env: Record<string, string | undefined> = process.env,
) {
  const config = loadSyncConfig(env);
  const log = app.log.child({ module: 'sync' });
  const agent = new SyncAgent({
    prisma: app.prisma,
    databaseUrl: app.config.DATABASE_URL,
    siteId: config.SITE_ID,
    url: config.CLOUD_SYNC_URL,
    signer: loadSiteSigner(config),
    cloudKeys: loadCloudKeys(config),
    commands: app.syncCommands,
    log,
    metrics: createSyncMetrics(app.metrics, app.prisma),
    proxyUrl: config.HTTPS_PROXY ?? config.https_proxy,
    noProxy: config.NO_PROXY ?? config.no_proxy ?? [],
    window: config.SYNC_WINDOW,
    sendBatch: config.SYNC_SEND_BATCH,
    pollMs: config.SYNC_POLL_MS,
    backoffBaseMs: config.SYNC_BACKOFF_BASE_MS,
    backoffMaxMs: config.SYNC_BACKOFF_MAX_MS,
    ackTimeoutMs: config.SYNC_ACK_TIMEOUT_MS,
    skewMs: config.SYNC_CLOCK_SKEW_MS,
  });
  app.syncAgent.current = agent;
  agent.start();

  const startedAt = Date.now();
  const refused = new Set<string>();
  const announced: AnnounceCursor = { since: null };
  const guard = (what: string, task: () => Promise<unknown>) => () =>
    task().catch((err) => log.error({ err: { message: (err as Error).message } }, `${what} failed`));
  const status = setInterval(
    guard('site status', async () => {
      await enqueueSiteStatus(app.prisma, { startedAt, queues: app.queues });
      agent.wake();
    }),
    config.SYNC_STATUS_INTERVAL_MS,
  );
  const announce = setInterval(
    guard('study announcement', async () => {
      const queued = await announcePendingStudies(app.prisma, app.config.SITE_SECRET, {
        quietMs: config.SYNC_ANNOUNCE_QUIET_MS,
        skip: refused,
        cursor: announced,
        // Logged by database id and reason code only; the message could name the value's field.
        onRefused: (studyRef, err) =>
          log.error(
            { studyRef, code: (err as { code?: string }).code },
            'study.available refused by the PHI guard',
          ),
      });
      if (queued > 0) agent.wake();
    }),
    config.SYNC_ANNOUNCE_INTERVAL_MS,
  );
  return {
    agent,
    async close() {
      clearInterval(status);
      clearInterval(announce);
      await agent.stop();
      app.syncAgent.current = undefined;
    },
  };
}
