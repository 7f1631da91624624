import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@annex/cloud/app.ts';
import { loadCloudSigner } from '@annex/cloud/cloud-signer.ts';
import { loadCloudConfig } from '@annex/cloud/config.ts';
import { createPrisma, type PrismaClient } from '@annex/cloud/db.ts';
import { CLOUD_DEMO_USERS, CLOUD_REALM, DASHBOARD_CLIENT } from '@annex/cloud/demo-users.ts';
import { createDevIssuer, createTokenVerifier } from '@annex/platform';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import { exportPrivateKeyPem, generateKeyPair, type KeyPair } from '@annex/protocol';
import type { FastifyInstance } from 'fastify';

const CLOUD_DIR = fileURLToPath(new URL('../../../services/cloud', import.meta.url));

export interface DashboardCloud {
  app: FastifyInstance;
  prisma: PrismaClient;
  cloudKey: KeyPair;
  baseUrl: string;
  syncUrl: string;
  /** An access token for a demo user, as the dashboard would hold. */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The real cloud app on its own migrated database, serving the built dashboard, with the embedded
 * issuer mounted at the address the browser reaches (the cloud's test helper fixes its issuer at
 * :8090, which a browser cannot log in against), so the PKCE login runs for real.
 */
export async function startDashboardCloud(opts: {
  webRoot: string;
  siteViewers?: string;
  databaseUrl?: string;
}): Promise<DashboardCloud> {
  const db = opts.databaseUrl
    ? { url: opts.databaseUrl, drop: async () => {} }
    : await createTestDatabase(CLOUD_DIR, 'dashboard');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const cloudKey = generateKeyPair();
  const issuer = await createDevIssuer({
    baseUrl,
    realm: CLOUD_REALM,
    users: CLOUD_DEMO_USERS,
    audience: 'annex-cloud',
    clients: [DASHBOARD_CLIENT],
  });
  const config = loadCloudConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    OIDC_ISSUER: issuer.issuer,
    PUBLIC_URL: baseUrl,
    CLOUD_SIGNING_KEY: exportPrivateKeyPem(cloudKey.privateKey),
    ...(opts.siteViewers ? { SITE_VIEWER_URLS: opts.siteViewers } : {}),
  });
  const prisma = createPrisma(db.url);
  const app = await buildApp(config, {
    prisma,
    signer: loadCloudSigner(config),
    verifyToken: createTokenVerifier({ issuer: issuer.issuer, audience: 'annex-cloud', jwks: issuer.jwks }),
    devIssuer: issuer,
    web: { root: opts.webRoot },
  });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (e) {
    await prisma.$disconnect();
    await db.drop();
    throw e;
  }
  return {
    app,
    prisma,
    cloudKey,
    baseUrl,
    syncUrl: `ws://127.0.0.1:${port}/sync/v1`,
    token: (username) => issuer.mint(username, { clientId: DASHBOARD_CLIENT }),
    async close() {
      await app.close();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}
