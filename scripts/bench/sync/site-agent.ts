// The site's sync agent alone in its own process, configured from the environment like the real
// role (loadSyncConfig), for the benchmark: outbox writers and the agent do not share a core.
import { createPrisma } from '@annex/site/db.ts';
import { SyncAgent } from '@annex/site/modules/sync/agent.ts';
import { defaultCommandHandlers } from '@annex/site/modules/sync/command-handlers.ts';
import { loadSyncConfig } from '@annex/site/modules/sync/config.ts';
import { loadCloudKeys, loadSiteSigner } from '@annex/site/modules/sync/keys.ts';
import pino from 'pino';

const config = loadSyncConfig();
const databaseUrl = process.env.DATABASE_URL ?? '';
const agent = new SyncAgent({
  prisma: createPrisma(databaseUrl),
  databaseUrl,
  siteId: config.SITE_ID,
  url: config.CLOUD_SYNC_URL,
  signer: loadSiteSigner(config),
  cloudKeys: loadCloudKeys(config),
  commands: defaultCommandHandlers(),
  log: pino({ level: 'warn' }),
  window: config.SYNC_WINDOW,
  sendBatch: config.SYNC_SEND_BATCH,
  pollMs: config.SYNC_POLL_MS,
});
agent.start();
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
