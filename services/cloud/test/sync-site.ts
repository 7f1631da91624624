import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import { type KeyPair, keyRing } from '@annex/protocol';
import { createPrisma, type PrismaClient } from '@annex/site/db.ts';
import { SyncAgent, type SyncAgentOptions } from '@annex/site/modules/sync/agent.ts';
import { defaultCommandHandlers } from '@annex/site/modules/sync/command-handlers.ts';
import pino from 'pino';
import type { TestCloud } from './app.ts';
import { registerTestSite } from './fixtures.ts';

const SITE_DIR = fileURLToPath(new URL('../../site', import.meta.url));

export interface SyncSite {
  siteId: string;
  key: KeyPair;
  prisma: PrismaClient;
  databaseUrl: string;
  agent: SyncAgent;
  startAgent(overrides?: Partial<SyncAgentOptions>): SyncAgent;
  close(): Promise<void>;
}

/**
 * A site database (the site's real migrations) registered with the test cloud, and its sync agent
 * (the real one), without the rest of the site app: what the sync tests need.
 */
export async function startSyncSite(
  cloud: TestCloud,
  siteId: string,
  options: { org?: string; agent?: Partial<SyncAgentOptions>; start?: boolean } = {},
): Promise<SyncSite> {
  const db = await createTestDatabase(SITE_DIR, 'syncsite');
  const prisma = createPrisma(db.url);
  const key = await registerTestSite(cloud, siteId, options.org);
  const make = (overrides: Partial<SyncAgentOptions> = {}) =>
    new SyncAgent({
      prisma,
      databaseUrl: db.url,
      siteId,
      url: cloud.syncUrl,
      signer: key,
      cloudKeys: keyRing([{ kid: cloud.cloudKey.kid, publicKey: cloud.cloudKey.publicKey }]),
      commands: defaultCommandHandlers(),
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      pollMs: 200,
      backoffBaseMs: 50,
      backoffMaxMs: 400,
      ...options.agent,
      ...overrides,
    });
  const site: SyncSite = {
    siteId,
    key,
    prisma,
    databaseUrl: db.url,
    agent: make(),
    startAgent(overrides) {
      site.agent = make(overrides);
      site.agent.start();
      return site.agent;
    },
    async close() {
      await site.agent.stop();
      await prisma.$disconnect();
      await db.drop();
    },
  };
  if (options.start !== false) site.agent.start();
  return site;
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
