// npm run demo: the site (and, once wired, the cloud) on embedded defaults, seeded with synthetic
// studies. Uses the machine's Postgres and Redis (or DATABASE_URL / REDIS_URL), an in-process S3
// server unless S3_ENDPOINT is set, and the embedded OIDC issuer unless OIDC_ISSUER is set.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCtSeries, makeMrSeries, makeStudy } from '@annex/dicom';
import { createDevIssuer } from '@annex/platform';
import pg from 'pg';
import { loadSiteConfig } from '../services/site/src/config.ts';
import { DEMO_REALM, DEMO_USERS, VIEWER_CLIENT } from '../services/site/src/demo-users.ts';
import { startSite } from '../services/site/src/main.ts';
import { ingestContextOf } from '../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../services/site/src/modules/ingest/service.ts';
import { startEmbeddedS3 } from '../services/site/src/storage/embedded-s3.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const STATE = path.join(ROOT, '.annex', 'demo');
mkdirSync(STATE, { recursive: true });

/** A secret made once and kept in .annex/demo, so pseudonyms stay stable across demo runs. */
function persistentSecret(name: string): string {
  const file = path.join(STATE, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function ensureDatabase(url: string, packageDir: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await client.end();
  execFileSync('npm', ['run', '-s', 'db:deploy'], { cwd: packageDir, env: { ...process.env, DATABASE_URL: url }, stdio: 'pipe' });
}

const env = process.env;
const publicUrl = env.PUBLIC_URL ?? 'http://127.0.0.1:8080';
const databaseUrl = env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/annex_demo';
await ensureDatabase(databaseUrl, path.join(ROOT, 'services/site'));

const s3 = env.S3_ENDPOINT
  ? undefined
  : await startEmbeddedS3({ port: Number(env.DEMO_S3_PORT ?? 9900), directory: path.join(STATE, 's3') });
const issuer = env.OIDC_ISSUER
  ? undefined
  : await createDevIssuer({
      baseUrl: publicUrl,
      realm: DEMO_REALM,
      users: DEMO_USERS,
      audience: 'annex-site',
      clients: [VIEWER_CLIENT, 'annex-cli'],
      accessTokenSeconds: 3600,
    });

const config = loadSiteConfig({
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  ROLES: 'api,worker,dimse',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '8080',
  PUBLIC_URL: publicUrl,
  WEB_ORIGINS: publicUrl,
  DATABASE_URL: databaseUrl,
  SITE_SECRET: persistentSecret('site-secret'),
  OIDC_CLIENTS: `${VIEWER_CLIENT},annex-cli`,
  ...(s3 ? { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKey, S3_SECRET_KEY: s3.secretKey } : {}),
  ...(issuer ? { OIDC_ISSUER: issuer.issuer } : {}),
  ...Object.fromEntries(Object.entries(env).filter(([k]) => !['NODE_ENV', 'LOG_LEVEL'].includes(k))),
});

const site = await startSite(config, issuer);

// Seed once: a synthetic CT and MR study with fake PHI, through the same pipeline as every door.
if ((await site.app.prisma.study.count()) === 0) {
  const ctx = ingestContextOf(site.app);
  const ct = makeCtSeries({ slices: Number(env.DEMO_CT_SLICES ?? 120), seed: 'demo-ct' });
  const mr = makeMrSeries({ slices: 24, seed: 'demo-mr', study: makeStudy('demo-mr') });
  for (const file of [...ct.files, ...mr.files]) await ingestInstance(ctx, file, { via: 'upload' });
  site.app.log.info({ instances: ct.files.length + mr.files.length }, 'demo studies seeded');
}

const line = '─'.repeat(72);
console.log(`
${line}
Annex site demo is running
  site            ${publicUrl}            (viewer, API)
  API docs        ${publicUrl}/docs
  DICOMweb        ${publicUrl}/dicomweb
  DIMSE (C-STORE) 127.0.0.1:${config.DIMSE_PORT}  AE title ${config.DIMSE_AE_TITLE}
  S3              ${s3 ? `${s3.endpoint} (embedded, data in .annex/demo/s3)` : config.S3_ENDPOINT}
  OIDC issuer     ${config.OIDC_ISSUER}
Users (password = user name)
${DEMO_USERS.map((u) => `  ${u.username.padEnd(6)} ${u.roles.join(', ')}`).join('\n')}
Get a token:      npm run -s token -- admin
Try:              curl -H "Authorization: Bearer $(npm run -s token -- admin)" '${publicUrl}/dicomweb/studies'
Push a series:    storescu -aec ${config.DIMSE_AE_TITLE} 127.0.0.1 ${config.DIMSE_PORT} <files>
${line}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await site.stop();
    await s3?.close();
    process.exit(0);
  });
}
