import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';

let site: TestSite;
const root = mkdtempSync(path.join(tmpdir(), 'annex-web-'));
beforeAll(async () => {
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Annex viewer</title>');
  site = await startTestSite({}, { webRoot: root });
});
afterAll(async () => site?.close());

describe('the site serves the viewer', () => {
  it('serves the app shell at / without a token, revalidated on every load', async () => {
    const res = await site.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Annex viewer');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('tells the viewer to sign in against the issuer the API trusts', async () => {
    const res = await site.app.inject({ method: 'GET', url: '/config.json' });
    expect(res.json()).toEqual({
      dicomwebUrl: '/dicomweb',
      projectDicomwebUrl: '/dicomweb/projects/{projectId}',
      apiUrl: '/api',
      auth: {
        kind: 'oidc',
        issuer: site.config.OIDC_ISSUER,
        clientId: 'annex-viewer',
        scope: 'openid profile',
      },
    });
  });

  it('still protects the API', async () => {
    expect((await site.app.inject({ method: 'GET', url: '/api/tasks' })).statusCode).toBe(401);
  });
});
