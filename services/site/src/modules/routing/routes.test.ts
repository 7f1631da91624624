import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { createAeRouteRepository } from './repository.ts';
import { resolveAeRoute } from './resolve-route.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => site?.close());

describe('AE title routes API', () => {
  it('lets a site admin create, read, change and delete a route', async () => {
    const headers = await site.auth('admin');
    const created = await site.app.inject({
      method: 'POST',
      url: '/api/admin/ae-routes',
      headers,
      payload: { calledAe: 'CARDIO', projectId: 'p1' },
    });
    expect(created.statusCode).toBe(201);
    const route = created.json();
    expect(route).toMatchObject({ calledAe: 'CARDIO', callingAe: '*', projectId: 'p1' });

    const patched = await site.app.inject({
      method: 'PATCH',
      url: `/api/admin/ae-routes/${route.id}`,
      headers,
      payload: { projectId: 'p2' },
    });
    expect(patched.json().projectId).toBe('p2');
    const list = await site.app.inject({ method: 'GET', url: '/api/admin/ae-routes', headers });
    expect(list.json().routes.map((r: { id: string }) => r.id)).toContain(route.id);

    const deleted = await site.app.inject({
      method: 'DELETE',
      url: `/api/admin/ae-routes/${route.id}`,
      headers,
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await site.app.inject({ method: 'GET', url: `/api/admin/ae-routes/${route.id}`, headers });
    expect(gone.json().error.code).toBe('AE_ROUTE_NOT_FOUND');
  });

  it('refuses a second route for the same called/calling pair with AE_ROUTE_EXISTS', async () => {
    const headers = await site.auth('admin');
    const payload = { calledAe: 'DUP', callingAe: 'CT1', projectId: null };
    expect(
      (await site.app.inject({ method: 'POST', url: '/api/admin/ae-routes', headers, payload })).statusCode,
    ).toBe(201);
    const again = await site.app.inject({ method: 'POST', url: '/api/admin/ae-routes', headers, payload });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('AE_ROUTE_EXISTS');
  });

  it('refuses AE titles that are too long or contain a backslash', async () => {
    const headers = await site.auth('admin');
    for (const calledAe of ['A'.repeat(17), 'BAD\\AE', '   ']) {
      const res = await site.app.inject({
        method: 'POST',
        url: '/api/admin/ae-routes',
        headers,
        payload: { calledAe },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('is for site admins only', async () => {
    const res = await site.app.inject({
      method: 'GET',
      url: '/api/admin/ae-routes',
      headers: await site.auth('ana'),
    });
    expect(res.statusCode).toBe(403);
    const anonymous = await site.app.inject({ method: 'GET', url: '/api/admin/ae-routes' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('resolveAeRoute', () => {
  it('prefers the exact calling AE over the wildcard and applies the unknown-AE policy', async () => {
    const repository = createAeRouteRepository(site.deps.prisma);
    await repository.create({ calledAe: 'ONCO', callingAe: '*', projectId: 'any' });
    await repository.create({ calledAe: 'ONCO', callingAe: 'PET1', projectId: 'pet' });
    const policy = { ownAeTitle: 'ANNEX', unknownCalledAe: 'reject' as const };
    expect(await resolveAeRoute(repository, policy, 'ONCO', 'PET1')).toEqual({
      accept: true,
      projectId: 'pet',
      routed: true,
    });
    expect(await resolveAeRoute(repository, policy, 'ONCO', 'CT9')).toEqual({
      accept: true,
      projectId: 'any',
      routed: true,
    });
    expect(await resolveAeRoute(repository, policy, 'ANNEX', 'CT9')).toEqual({
      accept: true,
      projectId: undefined,
      routed: false,
    });
    expect(await resolveAeRoute(repository, policy, 'OTHER', 'CT9')).toEqual({
      accept: false,
      reason: 'called-ae-unknown',
    });
    expect(
      (await resolveAeRoute(repository, { ...policy, unknownCalledAe: 'accept' }, 'OTHER', 'CT9')).accept,
    ).toBe(true);
  });
});
