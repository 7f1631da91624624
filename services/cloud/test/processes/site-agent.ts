// A site sync agent as its own process, configured like the real role (loadSyncConfig from the
// environment, keys from env), for tests that kill it with SIGKILL.
import { createPrisma } from '@annex/site/db.ts';
import { SyncAgent } from '@annex/site/modules/sync/agent.ts';
import { defaultCommandHandlers } from '@annex/site/modules/sync/command-handlers.ts';
import { loadSyncConfig } from '@annex/site/modules/sync/config.ts';
import { loadCloudKeys, loadSiteSigner } from '@annex/site/modules/sync/keys.ts';
import pino from 'pino';

const config = loadSyncConfig();
const agent = new SyncAgent({
  prisma: createPrisma(process.env.DATABASE_URL ?? ''),
  databaseUrl: process.env.DATABASE_URL ?? '',
  siteId: config.SITE_ID,
  url: config.CLOUD_SYNC_URL,
  signer: loadSiteSigner(config),
  cloudKeys: loadCloudKeys(config),
  commands: defaultCommandHandlers(),
  log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  backoffBaseMs: 50,
  backoffMaxMs: 300,
  window: config.SYNC_WINDOW,
  sendBatch: config.SYNC_SEND_BATCH,
});
agent.start();
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
