// npm run demo: the site and the cloud on embedded defaults, connected over the signed channel,
// seeded with a project and synthetic studies. Uses the machine's Postgres and Redis (or
// DATABASE_URL / CLOUD_DATABASE_URL / REDIS_URL), an in-process S3 server unless S3_ENDPOINT is
// set, and embedded OIDC issuers unless OIDC_ISSUER is set. DEMO_CLOUD=0 runs the site alone.
import path from 'node:path';
import { createDevIssuer } from '@annex/platform';
import { CLOUD_DEMO_USERS } from '../services/cloud/src/demo-users.ts';
import { loadSiteConfig } from '../services/site/src/config.ts';
import { DEMO_REALM, DEMO_USERS, VIEWER_CLIENT } from '../services/site/src/demo-users.ts';
import { startSite } from '../services/site/src/main.ts';
import { startEmbeddedS3 } from '../services/site/src/storage/embedded-s3.ts';
import { DEMO_SITE, startDemoCloud } from './demo/cloud.ts';
import { seedDemo } from './demo/seed.ts';
import {
  ensureDatabase,
  ensureWebBuild,
  persistentKeyPair,
  persistentSecret,
  ROOT,
  STATE,
} from './demo/state.ts';

const env = process.env;
const publicUrl = env.PUBLIC_URL ?? 'http://127.0.0.1:8080';
const cloudUrl = env.CLOUD_PUBLIC_URL ?? 'http://127.0.0.1:8090';
const withCloud = env.DEMO_CLOUD !== '0';
const databaseUrl = env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/annex_demo';
ensureWebBuild('web/site');
if (withCloud) ensureWebBuild('web/cloud');
await ensureDatabase(databaseUrl, path.join(ROOT, 'services/site'));

const siteKeys = persistentKeyPair('site');
const cloudKeys = persistentKeyPair('cloud');
const cloud = withCloud
  ? await startDemoCloud({
      publicUrl: cloudUrl,
      siteUrl: publicUrl,
      databaseUrl: env.CLOUD_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/annex_demo_cloud',
      signingKeyFile: cloudKeys.privateFile,
      sitePublicKeyFile: siteKeys.publicFile,
    })
  : undefined;

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

if (withCloud) {
  // The sync role reads its settings from the environment, like in a deployment.
  Object.assign(process.env, {
    SITE_ID: DEMO_SITE,
    CLOUD_SYNC_URL: `${cloudUrl.replace(/^http/, 'ws')}/sync/v1`,
    SYNC_ALLOW_INSECURE: '1',
    SITE_SIGNING_KEY_FILE: siteKeys.privateFile,
    CLOUD_PUBLIC_KEY_FILE: cloudKeys.publicFile,
    SYNC_ANNOUNCE_QUIET_MS: '1000',
  });
}
const url = new URL(publicUrl);
const config = loadSiteConfig({
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  ROLES: withCloud ? 'api,worker,dimse,sync' : 'api,worker,dimse',
  HTTP_HOST: url.hostname,
  HTTP_PORT: url.port || '8080',
  PUBLIC_URL: publicUrl,
  WEB_ORIGINS: publicUrl,
  DATABASE_URL: databaseUrl,
  SITE_SECRET: persistentSecret('site-secret'),
  OIDC_CLIENTS: `${VIEWER_CLIENT},annex-cli`,
  // The demo hospital lets the QC dashboard show its annotators' names (ana, ben, cleo).
  ANNOTATOR_NAMES_TO_CLOUD: '1',
  ...(s3 ? { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKey, S3_SECRET_KEY: s3.secretKey } : {}),
  ...(issuer ? { OIDC_ISSUER: issuer.issuer } : {}),
  ...Object.fromEntries(Object.entries(env).filter(([k]) => !['NODE_ENV', 'LOG_LEVEL'].includes(k))),
});

const site = await startSite(config, issuer);
const project = await seedDemo(site.app, Number(env.DEMO_CT_SLICES ?? 120));

const line = '─'.repeat(76);
console.log(`
${line}
Annex demo is running
  viewer + site API  ${publicUrl}              (annotators sign in here)
  API docs           ${publicUrl}/docs
  DICOMweb           ${publicUrl}/dicomweb
  DIMSE (C-STORE)    127.0.0.1:${config.DIMSE_PORT}  AE title ${config.DIMSE_AE_TITLE}
  S3                 ${s3 ? `${s3.endpoint} (embedded, data in .annex/demo/s3)` : config.S3_ENDPOINT}
  site OIDC issuer   ${config.OIDC_ISSUER}
${cloud ? `  QC dashboard       ${cloudUrl}              (cloud; site "${DEMO_SITE}" connected over the signed channel)\n` : ''}Project "${project.name}" (3 annotators per task) has a task waiting.
Site users (password = user name)
${DEMO_USERS.map((u) => `  ${u.username.padEnd(10)} ${u.roles.join(', ')}`).join('\n')}
${cloud ? `Cloud users (password = user name)\n${CLOUD_DEMO_USERS.map((u) => `  ${u.username.padEnd(10)} ${u.roles.join(', ')} ${(u.groups ?? []).join(' ')}`).join('\n')}\n` : ''}Get a token:       npm run -s token -- admin            (cloud: npm run -s token -- quinn cloud)
Try:               curl -H "Authorization: Bearer $(npm run -s token -- admin)" '${publicUrl}/dicomweb/studies'
Push a series:     storescu -aec ${config.DIMSE_AE_TITLE} 127.0.0.1 ${config.DIMSE_PORT} <files>
${line}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await site.stop();
    await cloud?.stop();
    await s3?.close();
    console.log('Annex demo stopped');
    process.exit(0);
  });
}
