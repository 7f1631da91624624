import { ConfigError } from '@annex/platform';
import { buildApp } from './app.ts';
import { loadSiteConfig, type SiteConfig } from './config.ts';
import { createSiteDeps } from './runtime.ts';

/** Something running that must be stopped on shutdown. */
type Stoppable = { name: string; stop(): Promise<void> };

/**
 * Starts the roles named in ROLES (api, worker, dimse, sync) in this process and stops them
 * gracefully on SIGTERM/SIGINT: stop accepting, finish in-flight work within SHUTDOWN_GRACE_MS,
 * cut what is left, close connections.
 */
export async function startSite(
  config: SiteConfig,
  options: Parameters<typeof createSiteDeps>[1] = undefined,
) {
  const deps = await createSiteDeps(config, options);
  const app = await buildApp(config, deps);
  // DIMSE, sync and the workers drain together with HTTP (preClose: Fastify already answers new
  // requests 503 and lets in-flight ones finish), and before the app's onClose hooks close what
  // they use (the ingest pools). Each is bounded by the drain's deadline.
  const draining: Stoppable[] = [];
  app.addHook('preClose', async () => {
    await Promise.all(
      draining.map(async (part) => {
        try {
          if (!(await app.drain.within(part.stop())))
            app.log.warn({ part: part.name }, 'still busy at the shutdown deadline; cut');
        } catch (error) {
          app.log.error({ err: error, part: part.name }, 'error while stopping');
        }
      }),
    );
  });
  await app.ready();

  if (config.ROLES.includes('worker')) {
    const { scheduleRepeating, startWorkers } = await import('./jobs/queues.ts');
    const { JobName } = await import('./jobs/names.ts');
    const { createJobHandlers } = await import('./jobs/handlers.ts');
    const { scheduleOrphanReaper } = await import('./modules/ingest/jobs.ts');
    const workers = startWorkers(deps.redis, config.QUEUE_PREFIX, createJobHandlers(app));
    // Idempotent: every worker process may (re)declare the schedules.
    await scheduleOrphanReaper(deps.redis, config.QUEUE_PREFIX);
    await scheduleRepeating(deps.redis, config.QUEUE_PREFIX, JobName.ExpireLeases, {}, 60_000);
    await scheduleRepeating(deps.redis, config.QUEUE_PREFIX, JobName.ExpireExports, {}, 10 * 60_000);
    // A job still running at the cut is left to BullMQ's stalled-job recovery (it runs again).
    draining.push({ name: 'worker', stop: workers.close });
  }
  if (config.ROLES.includes('dimse')) {
    const { startDimseServer } = await import('./modules/dimse/server.ts');
    const dimse = await startDimseServer(app);
    draining.push({ name: 'dimse', stop: () => dimse.close(app.drain.cut) });
  }
  if (config.ROLES.includes('sync')) {
    const { startSyncAgent } = await import('./modules/sync/role.ts');
    const agent = await startSyncAgent(app);
    draining.push({ name: 'sync', stop: agent.close });
  }
  if (config.ROLES.includes('api')) await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      app.drain.begin(config.SHUTDOWN_GRACE_MS);
      for (const part of [
        { name: 'app', stop: () => app.close() },
        { name: 'infrastructure', stop: () => deps.close() },
      ]) {
        try {
          await part.stop();
        } catch (error) {
          app.log.error({ err: error, part: part.name }, 'error while stopping');
        }
      }
    })();
    return stopping;
  };
  return { app, deps, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Handlers go in before start-up, so a SIGTERM that arrives while starting still stops cleanly.
  let site: Awaited<ReturnType<typeof startSite>> | undefined;
  let config: SiteConfig | undefined;
  let stopRequested = false;
  const shutdown = (signal: string) => {
    if (stopRequested) return;
    stopRequested = true;
    console.error(JSON.stringify({ level: 30, msg: 'shutting down', signal }));
    // Last resort, should closing connections itself hang: the drain is bounded, this process too.
    const overrun = (config?.SHUTDOWN_GRACE_MS ?? 25_000) + 5000;
    setTimeout(() => {
      console.error(JSON.stringify({ level: 50, msg: 'shutdown overran its grace period; exiting' }));
      process.exit(1);
    }, overrun).unref();
    if (site) void site.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    config = loadSiteConfig();
    site = await startSite(config);
    if (stopRequested) await site.stop().then(() => process.exit(0));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}
