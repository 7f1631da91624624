import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDevIssuer, type DevIssuer } from '@annex/platform';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import type { FastifyInstance } from 'fastify';
import { buildApp, type SiteDeps } from '../src/app.ts';
import { loadSiteConfig, type SiteConfig } from '../src/config.ts';
import { DEMO_REALM, DEMO_USERS, VIEWER_CLIENT } from '../src/demo-users.ts';
import { createSiteDeps } from '../src/runtime.ts';
import { startTestS3 } from './s3.ts';

const SITE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface TestSite {
  app: FastifyInstance;
  config: SiteConfig;
  deps: SiteDeps;
  issuer: DevIssuer;
  /** A bearer token for a demo user (admin, ana, ben, cleo, rita, phil). */
  token(username: string, options?: Parameters<DevIssuer['mint']>[1]): Promise<string>;
  auth(username: string): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * A site app on its own Postgres database (migrations applied), its own Redis key prefix and an
 * in-process S3 server. Real everything except Keycloak (the embedded issuer stands in).
 */
export async function startTestSite(
  env: Record<string, string> = {},
  extra: Pick<SiteDeps, 'webRoot'> & { port?: number } = {},
): Promise<TestSite> {
  const db = await createTestDatabase(SITE_DIR, 'site');
  const s3 = await startTestS3();
  // Browser tests listen on a real port; the issuer's URLs must then name it.
  const baseUrl = `http://127.0.0.1:${extra.port ?? 8080}`;
  const issuer = await createDevIssuer({
    baseUrl,
    realm: DEMO_REALM,
    users: DEMO_USERS,
    audience: 'annex-site',
    clients: [VIEWER_CLIENT, 'annex-cli'],
  });
  const config = loadSiteConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: s3.accessKey,
    S3_SECRET_KEY: s3.secretKey,
    S3_BUCKET: 'annex-test',
    OIDC_ISSUER: issuer.issuer,
    OIDC_CLIENTS: `${VIEWER_CLIENT},annex-cli`,
    SITE_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_URL: baseUrl,
    ...env,
  });
  const deps = await createSiteDeps(config, issuer);
  const app = await buildApp(config, { ...deps, ...(extra.webRoot ? { webRoot: extra.webRoot } : {}) });
  await app.ready();
  if (extra.port) await app.listen({ host: '127.0.0.1', port: extra.port });
  return {
    app,
    config,
    deps,
    issuer,
    token: (username, options) => issuer.mint(username, options),
    auth: async (username) => ({ authorization: `Bearer ${await issuer.mint(username)}` }),
    async close() {
      await app.close();
      // Queue keys live under the test's own prefix; remove them so Redis is left as found.
      const keys = await deps.redis.keys(`${config.QUEUE_PREFIX}:*`);
      if (keys.length) await deps.redis.del(...keys);
      await deps.close();
      await s3.close();
      await db.drop();
    },
  };
}
