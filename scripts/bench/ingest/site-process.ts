// The site under test in its own process: api + dimse roles (the worker's follow-up jobs are not part of ingest throughput) on a fresh database, the
// embedded OIDC issuer for a token. Prints {"ready": true, "token": ...} when listening.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDevIssuer } from '@annex/platform';
import { createTestDatabase } from '@annex/platform/testing/postgres.ts';
import { loadSiteConfig } from '../../../services/site/src/config.ts';
import { DEMO_REALM, DEMO_USERS, VIEWER_CLIENT } from '../../../services/site/src/demo-users.ts';
import { startSite } from '../../../services/site/src/main.ts';

const SITE_DIR = fileURLToPath(new URL('../../../services/site/', import.meta.url));
const httpPort = Number(process.env.BENCH_HTTP_PORT);
const db = await createTestDatabase(SITE_DIR, 'bench');
const baseUrl = `http://127.0.0.1:${httpPort}`;
const issuer = await createDevIssuer({
  baseUrl,
  realm: DEMO_REALM,
  users: DEMO_USERS,
  audience: 'annex-site',
  clients: [VIEWER_CLIENT],
});
const config = loadSiteConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  ROLES: 'api,dimse',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: String(httpPort),
  PUBLIC_URL: baseUrl,
  DATABASE_URL: db.url,
  QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
  S3_ENDPOINT: process.env.BENCH_S3_ENDPOINT!,
  S3_ACCESS_KEY: process.env.BENCH_S3_ACCESS_KEY ?? 'S3RVER',
  S3_SECRET_KEY: process.env.BENCH_S3_SECRET_KEY ?? 'S3RVER',
  S3_BUCKET: 'annex-bench',
  OIDC_ISSUER: issuer.issuer,
  OIDC_CLIENTS: VIEWER_CLIENT,
  SITE_SECRET: randomBytes(32).toString('hex'),
  DIMSE_HOST: '127.0.0.1',
  DIMSE_PORT: process.env.BENCH_DIMSE_PORT!,
  DIMSE_AE_TITLE: 'ANNEX',
});
const site = await startSite(config, issuer);
console.log(JSON.stringify({ ready: true, token: await issuer.mint('admin', { expiresInSeconds: 3600 }) }));
process.on('SIGTERM', async () => {
  const keys = await site.deps.redis.keys(`${config.QUEUE_PREFIX}:*`);
  if (keys.length) await site.deps.redis.del(...keys);
  await site.stop();
  await db.drop();
  process.exit(0);
});
