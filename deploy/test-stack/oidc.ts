// TEST STACK ONLY (compose.test.yaml): stands in for Keycloak, which cannot run here (Java, no
// image). One server with both realms, annex-site and annex-cloud, at Keycloak's paths and with
// Keycloak-shaped tokens: the embedded issuer the demo uses, with the demo users (password = name).
import { createDevIssuer } from '@annex/platform';
import Fastify from 'fastify';
import { CLOUD_DEMO_USERS, CLOUD_REALM, DASHBOARD_CLIENT } from '../services/cloud/src/demo-users.ts';
import { DEMO_REALM, DEMO_USERS, VIEWER_CLIENT } from '../services/site/src/demo-users.ts';

const port = Number(process.env.PORT ?? 8081);
const baseUrl = process.env.PUBLIC_URL ?? `http://keycloak:${port}`;
const app = Fastify({ logger: { level: 'warn' } });
for (const [realm, users, audience, browser] of [
  [DEMO_REALM, DEMO_USERS, 'annex-site', VIEWER_CLIENT],
  [CLOUD_REALM, CLOUD_DEMO_USERS, 'annex-cloud', DASHBOARD_CLIENT],
] as const) {
  const issuer = await createDevIssuer({
    baseUrl,
    realm,
    users,
    audience,
    clients: [browser, 'annex-cli'],
    accessTokenSeconds: 3600,
  });
  // Each realm in its own plugin scope: each one adds its own form-body parser.
  await app.register(async (scope) => issuer.register(scope));
}
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ host: '0.0.0.0', port });
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)));
