import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => site?.close());

const get = (headers: Record<string, string> = {}) =>
  site.app.inject({ method: 'GET', url: '/api/admin/audit', headers });

describe('bearer tokens on every non-public route', () => {
  it('refuses a request without a token with TOKEN_MISSING', async () => {
    const res = await get();
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('TOKEN_MISSING');
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const token = await site.token('admin', { expiresInSeconds: -60 });
    const res = await get({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token from another issuer', async () => {
    const token = await site.token('admin', { issuer: 'http://evil.example/realms/annex-site' });
    const res = await get({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('TOKEN_INVALID');
  });

  it('refuses a token for another audience', async () => {
    const token = await site.token('admin', { audience: 'annex-cloud' });
    const res = await get({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a token requested by a client the site does not accept (azp)', async () => {
    const token = await site.token('admin', { clientId: 'some-other-app' });
    const res = await get({ authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a tampered token', async () => {
    const token = await site.token('ana', {});
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.realm_access.roles = ['site-admin'];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const res = await get({ authorization: `Bearer ${forged}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('TOKEN_INVALID');
  });

  it('answers a wrong role with 403 FORBIDDEN_ROLE and the right role with 200', async () => {
    const denied = await get(await site.auth('ana'));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN_ROLE');
    const allowed = await get(await site.auth('admin'));
    expect(allowed.statusCode).toBe(200);
    expect(Array.isArray(allowed.json().events)).toBe(true);
  });

  it('rejects unknown query parameters on a typed route', async () => {
    const res = await site.app.inject({
      method: 'GET',
      url: '/api/admin/audit?limit=0',
      headers: await site.auth('admin'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('audit log', () => {
  it('is append-only in the database: updates and deletes are refused', async () => {
    await site.deps.prisma.auditEvent.create({
      data: { actor: 'x', roles: [], action: 'test', resource: 'r' },
    });
    await expect(site.deps.prisma.auditEvent.updateMany({ data: { actor: 'y' } })).rejects.toThrow(
      /append-only/,
    );
    await expect(site.deps.prisma.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    expect(await site.deps.prisma.auditEvent.count({ where: { actor: 'x' } })).toBe(1);
  });
});

describe('embedded OIDC issuer', () => {
  it('publishes a Keycloak-shaped discovery document and JWKS', async () => {
    const res = await site.app.inject({
      method: 'GET',
      url: '/realms/annex-site/.well-known/openid-configuration',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().issuer).toBe(site.issuer.issuer);
    const certs = await site.app.inject({
      method: 'GET',
      url: '/realms/annex-site/protocol/openid-connect/certs',
    });
    expect(certs.json().keys[0].kty).toBe('RSA');
  });

  it('issues a token with the password grant that the site accepts, and rejects a wrong password', async () => {
    const bad = await site.app.inject({
      method: 'POST',
      url: '/realms/annex-site/protocol/openid-connect/token',
      payload: 'grant_type=password&client_id=annex-cli&username=admin&password=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.statusCode).toBe(401);
    const good = await site.app.inject({
      method: 'POST',
      url: '/realms/annex-site/protocol/openid-connect/token',
      payload: 'grant_type=password&client_id=annex-cli&username=admin&password=admin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(good.statusCode).toBe(200);
    const res = await get({ authorization: `Bearer ${good.json().access_token}` });
    expect(res.statusCode).toBe(200);
  });
});
