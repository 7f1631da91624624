// The demo cloud: its own database, the embedded issuer for realm annex-cloud, the demo
// organization and the demo site registered with the site's public key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDevIssuer } from '@annex/platform';
import { buildApp } from '../../services/cloud/src/app.ts';
import { loadCloudConfig } from '../../services/cloud/src/config.ts';
import { createPrisma } from '../../services/cloud/src/db.ts';
import { CLOUD_DEMO_USERS, CLOUD_REALM, DASHBOARD_CLIENT } from '../../services/cloud/src/demo-users.ts';
import { createOrganization, registerSite } from '../../services/cloud/src/modules/sites/service.ts';
import { createCloudDeps } from '../../services/cloud/src/runtime.ts';
import { ensureDatabase, ROOT } from './state.ts';

export const DEMO_ORG = 'demo-hospital';
export const DEMO_SITE = 'demo-site';

export async function startDemoCloud(options: {
  publicUrl: string;
  siteUrl: string;
  databaseUrl: string;
  signingKeyFile: string;
  sitePublicKeyFile: string;
}) {
  await ensureDatabase(options.databaseUrl, path.join(ROOT, 'services/cloud'));
  const url = new URL(options.publicUrl);
  const config = loadCloudConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    HTTP_HOST: url.hostname,
    HTTP_PORT: url.port || '8090',
    PUBLIC_URL: options.publicUrl,
    WEB_ORIGINS: options.publicUrl,
    DATABASE_URL: options.databaseUrl,
    OIDC_ISSUER: `${options.publicUrl}/realms/${CLOUD_REALM}`,
    OIDC_CLIENTS: `${DASHBOARD_CLIENT},annex-cli`,
    CLOUD_SIGNING_KEY_FILE: options.signingKeyFile,
    // The dashboard's "open in site viewer" links (they work only inside the hospital network).
    SITE_VIEWER_URLS: `${DEMO_SITE}=${options.siteUrl}`,
  });
  const issuer = await createDevIssuer({
    baseUrl: options.publicUrl,
    realm: CLOUD_REALM,
    users: CLOUD_DEMO_USERS,
    audience: config.OIDC_AUDIENCE,
    clients: [DASHBOARD_CLIENT, 'annex-cli'],
    accessTokenSeconds: 3600,
  });
  // The demo organizations and the site's registration: idempotent, so restarts are fine.
  const prisma = createPrisma(options.databaseUrl);
  for (const [slug, name] of [
    [DEMO_ORG, 'Demo Hospital'],
    ['other-hospital', 'Other Hospital'],
  ] as const) {
    if (!(await prisma.organization.findUnique({ where: { slug } })))
      await createOrganization(prisma, slug, name);
  }
  await registerSite(prisma, {
    siteId: DEMO_SITE,
    orgSlug: DEMO_ORG,
    name: 'Demo site',
    publicKey: readFileSync(options.sitePublicKeyFile, 'utf8'),
  });
  await prisma.$disconnect();

  const deps = createCloudDeps(config, issuer);
  const app = await buildApp(config, deps);
  await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  return {
    config,
    async stop() {
      await app.close();
      await deps.close();
    },
  };
}
