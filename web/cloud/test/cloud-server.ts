import type { PrismaClient } from '@annex/cloud/db.ts';
import { DASHBOARD_CLIENT } from '@annex/cloud/demo-users.ts';
import { freePort } from '@annex/platform/testing/free-port.ts';
import type { KeyPair } from '@annex/protocol';
import type { FastifyInstance } from 'fastify';
import { startTestCloud } from '../../../services/cloud/test/app.ts';

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

/**
 * The cloud's test app on a known port (so its embedded issuer names an address the browser
 * reaches and the PKCE login runs for real), serving the built dashboard.
 */
export async function startDashboardCloud(opts: {
  webRoot: string;
  siteViewers?: string;
  databaseUrl?: string;
}): Promise<DashboardCloud> {
  const cloud = await startTestCloud(opts.siteViewers ? { SITE_VIEWER_URLS: opts.siteViewers } : {}, {
    port: await freePort(),
    webRoot: opts.webRoot,
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
  });
  return {
    app: cloud.app,
    prisma: cloud.prisma,
    cloudKey: cloud.cloudKey,
    baseUrl: cloud.baseUrl,
    syncUrl: cloud.syncUrl,
    token: (username) => cloud.token(username, DASHBOARD_CLIENT),
    close: cloud.close,
  };
}
