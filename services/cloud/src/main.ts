import { createDevIssuer } from '@annex/platform';
import { buildApp } from './app.ts';
import { loadCloudConfig } from './config.ts';
import { CLOUD_DEMO_USERS, CLOUD_REALM, DASHBOARD_CLIENT } from './demo-users.ts';
import { createCloudDeps } from './runtime.ts';

// Process entry. EMBEDDED_OIDC=1 (demo and tests only) mounts the Keycloak-shaped dev issuer.
const config = loadCloudConfig();
const devIssuer =
  process.env.EMBEDDED_OIDC === '1'
    ? await createDevIssuer({
        baseUrl: config.PUBLIC_URL,
        realm: CLOUD_REALM,
        users: CLOUD_DEMO_USERS,
        audience: config.OIDC_AUDIENCE,
        clients: [DASHBOARD_CLIENT, 'annex-cli'],
      })
    : undefined;
const deps = createCloudDeps(config, devIssuer);
const app = await buildApp(config, deps);
await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await deps.close();
    process.exit(0);
  });
}
