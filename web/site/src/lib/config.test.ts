import { describe, expect, it } from 'vitest';
import { appConfigSchema, ConfigError, dicomwebUrlFor, loadConfig } from './config.ts';

const serve = (status: number, body: string, type = 'application/json') =>
  (async () => new Response(body, { status, headers: { 'content-type': type } })) as unknown as typeof fetch;

describe('runtime config', () => {
  it('uses same-origin defaults when there is no config.json', async () => {
    const cfg = await loadConfig('http://site/', serve(404, ''));
    expect(cfg).toEqual({ dicomwebUrl: '/dicomweb', apiUrl: '/api', auth: { kind: 'none' } });
  });

  it("treats a dev server's index.html fallback as no config", async () => {
    expect((await loadConfig('http://site/', serve(200, '<!doctype html>', 'text/html'))).auth.kind).toBe(
      'none',
    );
  });

  it('fills OIDC defaults for the Keycloak public client', async () => {
    const cfg = await loadConfig(
      'http://site/',
      serve(200, JSON.stringify({ auth: { kind: 'oidc', issuer: 'https://kc/realms/site' } })),
    );
    expect(cfg.auth).toEqual({
      kind: 'oidc',
      issuer: 'https://kc/realms/site',
      clientId: 'annex-viewer',
      scope: 'openid profile',
    });
  });

  it('names every problem of an invalid config', async () => {
    const err = await loadConfig(
      'http://site/',
      serve(200, JSON.stringify({ dicomwebUrl: '', auth: { kind: 'oidc' } })),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/dicomwebUrl/);
    expect((err as Error).message).toMatch(/auth\.issuer/);
  });

  it("reads a task's images from its project's DICOMweb root when the site names one", () => {
    const site = appConfigSchema.parse({ projectDicomwebUrl: '/dicomweb/projects/{projectId}' });
    expect(dicomwebUrlFor(site, 'a1b2')).toBe('/dicomweb/projects/a1b2');
    expect(dicomwebUrlFor(site, 'x/y')).toBe('/dicomweb/projects/x%2Fy');
    expect(dicomwebUrlFor(site)).toBe('/dicomweb');
    // Orthanc has no project roots: tasks read the plain root.
    expect(dicomwebUrlFor(appConfigSchema.parse({}), 'a1b2')).toBe('/dicomweb');
    expect(appConfigSchema.safeParse({ projectDicomwebUrl: '/dicomweb/projects' }).success).toBe(false);
  });
});
