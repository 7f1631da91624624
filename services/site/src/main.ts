import { ConfigError } from '@annex/platform';
import { buildApp } from './app.ts';
import { loadSiteConfig, type SiteConfig } from './config.ts';
import { createSiteDeps } from './runtime.ts';

/** Something running that must be stopped on shutdown, in reverse order of start. */
type Stoppable = { name: string; stop(): Promise<void> };

/**
 * Starts the roles named in ROLES (api, worker, dimse, sync) in this process and stops them
 * gracefully on SIGTERM/SIGINT: stop accepting, finish in-flight work, close connections.
 */
export async function startSite(
  config: SiteConfig,
  options: Parameters<typeof createSiteDeps>[1] = undefined,
) {
  const deps = await createSiteDeps(config, options);
  const app = await buildApp(config, deps);
  const running: Stoppable[] = [{ name: 'infrastructure', stop: () => deps.close() }];
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
    running.push({ name: 'worker', stop: workers.close });
  }
  if (config.ROLES.includes('dimse')) {
    const { startDimseServer } = await import('./modules/dimse/server.ts');
    const dimse = await startDimseServer(app);
    running.push({ name: 'dimse', stop: dimse.close });
  }
  if (config.ROLES.includes('sync')) {
    const { startSyncAgent } = await import('./modules/sync/role.ts');
    const agent = await startSyncAgent(app);
    running.push({ name: 'sync', stop: agent.close });
  }
  // Stopped in reverse: HTTP, sync and DIMSE stop taking work first, workers drain, then connections close.
  running.push({ name: 'api', stop: () => app.close() });
  if (config.ROLES.includes('api')) await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const part of running.reverse()) {
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
  let stopRequested = false;
  const shutdown = (signal: string) => {
    if (stopRequested) return;
    stopRequested = true;
    console.error(JSON.stringify({ level: 30, msg: 'shutting down', signal }));
    if (site) void site.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    site = await startSite(loadSiteConfig());
    if (stopRequested) await site.stop().then(() => process.exit(0));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}
