import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError, authPlugin } from '@annex/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../config.ts';
import { siteViewers, webRoutes } from './routes.ts';

// The web module inside the cloud's real auth plugin: the shell is public, the API is not.
let app: FastifyInstance;
const root = mkdtempSync(path.join(tmpdir(), 'annex-cloud-web-'));
const config = loadCloudConfig({
  DATABASE_URL: 'postgresql://unused',
  OIDC_ISSUER: 'http://127.0.0.1:8090/realms/annex-cloud',
  CLOUD_SIGNING_KEY: 'unused',
  SITE_VIEWER_URLS: 'st-olav-1=https://annex.st-olav.internal,bad',
});

beforeAll(async () => {
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Annex QC</title>');
  app = Fastify();
  app.decorate('config', config);
  await app.register(authPlugin, {
    verify: async () => {
      throw new AppError('TOKEN_INVALID', 401, 'no tokens in this test');
    },
  });
  app.get('/api/qc/projects', async () => ({ projects: [] }));
  await app.register(webRoutes, { root, clientId: 'annex-dashboard' });
});
afterAll(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the cloud serves the QC dashboard', () => {
  it('serves the app shell at / without a token, revalidated on every load', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Annex QC');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('tells the dashboard to sign in against the issuer the API trusts, and where each site viewer is', async () => {
    const res = await app.inject({ method: 'GET', url: '/config.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      apiUrl: '/api',
      siteViewers: { 'st-olav-1': 'https://annex.st-olav.internal' },
      auth: {
        kind: 'oidc',
        issuer: config.OIDC_ISSUER,
        clientId: 'annex-dashboard',
        scope: 'openid profile',
      },
    });
  });

  it('still protects the API', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/qc/projects' })).statusCode).toBe(401);
  });

  it('says how to build the dashboard when there is no build', async () => {
    const bare = Fastify();
    bare.decorate('config', config);
    await bare.register(webRoutes, { root: path.join(root, 'missing') });
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build -w web/cloud');
    await bare.close();
  });
});

describe('siteViewers', () => {
  it('keeps well-formed siteId=url pairs only', () => {
    expect(siteViewers(['a=https://x.internal/viewer', '=https://y', 'b=not a url', 'c'])).toEqual({
      a: 'https://x.internal/viewer',
    });
  });
});
