import { fileURLToPath } from 'node:url';
import { createDevIssuer, createTokenVerifier, type DevIssuer } from '@annex/platform';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import { exportPrivateKeyPem, generateKeyPair, type KeyPair } from '@annex/protocol';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadCloudSigner } from '../src/cloud-signer.ts';
import { type CloudConfig, loadCloudConfig } from '../src/config.ts';
import { createPrisma, type PrismaClient } from '../src/db.ts';
import { CLOUD_DEMO_USERS, CLOUD_REALM, DASHBOARD_CLIENT } from '../src/demo-users.ts';

const CLOUD_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface TestCloud {
  app: FastifyInstance;
  config: CloudConfig;
  prisma: PrismaClient;
  databaseUrl: string;
  cloudKey: KeyPair;
  port: number;
  /** ws://127.0.0.1:<port>/sync/v1 */
  syncUrl: string;
  baseUrl: string;
  auth(username: string): Promise<{ authorization: string }>;
  /** A bare access token, optionally as issued to a given client (the dashboard's, say). */
  token(username: string, clientId?: string): Promise<string>;
  /** Stops the app (the database stays until `close`). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A cloud app listening on a free port, on its own migrated Postgres database, with a fresh cloud
 * signing key. Real everything except Keycloak (the embedded issuer stands in).
 */
export interface TestCloudOptions {
  /** Restart on an existing database with the same key (the database is then not dropped). */
  databaseUrl?: string;
  cloudKey?: KeyPair;
  /** Listen on this port; the issuer's URLs then name it, so a browser can sign in for real. */
  port?: number;
  /** Serve this dashboard build at `/`. */
  webRoot?: string;
}

export async function startTestCloud(
  env: Record<string, string> = {},
  options: TestCloudOptions = {},
): Promise<TestCloud> {
  const db = options.databaseUrl
    ? { url: options.databaseUrl, drop: async () => {} }
    : await createTestDatabase(CLOUD_DIR, 'cloud');
  const cloudKey = options.cloudKey ?? generateKeyPair();
  const issuer: DevIssuer = await createDevIssuer({
    baseUrl: `http://127.0.0.1:${options.port ?? 8090}`,
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
    CLOUD_SIGNING_KEY: exportPrivateKeyPem(cloudKey.privateKey),
    ...(options.port ? { PUBLIC_URL: `http://127.0.0.1:${options.port}` } : {}),
    ...env,
  });
  const prisma = createPrisma(db.url);
  const app = await buildApp(config, {
    prisma,
    signer: loadCloudSigner(config),
    verifyToken: createTokenVerifier({ issuer: issuer.issuer, audience: 'annex-cloud', jwks: issuer.jwks }),
    devIssuer: issuer,
    ...(options.webRoot ? { web: { root: options.webRoot } } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await prisma.$disconnect();
  };
  return {
    app,
    config,
    prisma,
    databaseUrl: db.url,
    cloudKey,
    port,
    syncUrl: `ws://127.0.0.1:${port}/sync/v1`,
    baseUrl: `http://127.0.0.1:${port}`,
    auth: async (username) => ({ authorization: `Bearer ${await issuer.mint(username)}` }),
    token: (username, clientId) => issuer.mint(username, clientId ? { clientId } : {}),
    stop,
    async close() {
      await stop();
      await db.drop();
    },
  };
}
