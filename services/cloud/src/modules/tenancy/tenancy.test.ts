import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../../../test/app.ts';
import { fakeId, registerTestSite } from '../../../test/fixtures.ts';
import { scopeOf } from './org-scope.ts';

// Two organizations that must not see each other: demo-hospital (quinn) and other-hospital (olga).
let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
  await registerTestSite(cloud, 'site-a1', 'demo-hospital');
  await registerTestSite(cloud, 'site-b1', 'other-hospital');
  for (const [siteId, seed] of [
    ['site-a1', 'a'],
    ['site-b1', 'b'],
  ] as const) {
    await cloud.prisma.cloudStudy.create({ data: { siteId, studyId: fakeId('st', seed) } });
  }
});
afterAll(async () => cloud?.close());

const get = async (user: string, url: string) => cloud.app.inject({ url, headers: await cloud.auth(user) });

describe('tenancy', () => {
  it('lists only the sites of the caller’s organizations', async () => {
    const ids = async (user: string) =>
      (await get(user, '/api/sites')).json().sites.map((s: { siteId: string }) => s.siteId);
    expect(await ids('quinn')).toEqual(['site-a1']);
    expect(await ids('olga')).toEqual(['site-b1']);
    expect(await ids('cloudadmin')).toEqual(['site-a1', 'site-b1']);
  });

  it('never returns another organization’s studies, even when asked by site id', async () => {
    const studies = async (user: string, q = '') =>
      (await get(user, `/api/studies${q}`)).json().studies.map((s: { siteId: string }) => s.siteId);
    expect(await studies('quinn')).toEqual(['site-a1']);
    expect(await studies('quinn', '?siteId=site-b1')).toEqual([]);
    expect(await studies('olga')).toEqual(['site-b1']);
    expect((await get('quinn', `/api/sites/site-b1/studies/${fakeId('st', 'b')}`)).statusCode).toBe(404);
    expect((await get('olga', `/api/sites/site-b1/studies/${fakeId('st', 'b')}`)).statusCode).toBe(200);
  });

  it('answers 404 (not 403) for another organization’s site, commands and ping', async () => {
    expect((await get('quinn', '/api/sites/site-b1')).statusCode).toBe(404);
    expect((await get('quinn', '/api/sites/site-b1/commands')).statusCode).toBe(404);
    const ping = await cloud.app.inject({
      method: 'POST',
      url: '/api/sites/site-b1/ping',
      headers: await cloud.auth('quinn'),
    });
    expect(ping.statusCode).toBe(404);
    expect(await cloud.prisma.outboxCommand.count({ where: { siteId: 'site-b1' } })).toBe(0);
  });

  it('limits the status endpoint to the caller’s sites', async () => {
    const status = (await get('olga', '/api/status')).json();
    expect(status.sites.map((s: { siteId: string }) => s.siteId)).toEqual(['site-b1']);
  });

  it('keeps site registration and key changes for cloud-admin', async () => {
    const res = await cloud.app.inject({
      method: 'POST',
      url: '/api/admin/organizations',
      headers: await cloud.auth('quinn'),
      payload: { slug: 'sneaky', name: 'Sneaky' },
    });
    expect(res.statusCode).toBe(403);
    expect((await get('quinn', '/api/admin/sites/site-a1/keys')).statusCode).toBe(403);
  });

  it('maps Keycloak groups and org: client roles to organizations; no qc-manager role, no organizations', () => {
    const p = (roles: string[], groups: string[] = []) => ({
      sub: 's',
      username: 'u',
      roles,
      groups,
      clientId: 'x',
    });
    expect(scopeOf(p(['qc-manager'], ['/org/a', '/org/b/sub', '/other/c']))).toEqual({
      all: false,
      orgSlugs: ['a'],
    });
    expect(scopeOf(p(['qc-manager', 'org:z']))).toEqual({ all: false, orgSlugs: ['z'] });
    expect(scopeOf(p(['annotator'], ['/org/a']))).toEqual({ all: false, orgSlugs: [] });
    expect(scopeOf(p(['cloud-admin']))).toEqual({ all: true });
  });
});
