import { notFound } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';
import { findSite, listKeys, listSites } from './repository.ts';
import { createOrganization, registerSite, revokeSiteKey, rotateSiteKey } from './service.ts';

const siteParams = z.object({ siteId: z.string().max(40) });
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);

/** The site registry: reading is scoped by organization; changing keys is for cloud-admin. */
export async function siteRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const readers = app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin);
  const admin = app.requireRole(CLOUD_ROLES.admin);

  r.get('/api/sites', { preHandler: readers, schema: { tags: ['sites'] } }, async (request) => {
    const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
    const sites = await listSites(app.prisma, scope);
    return {
      sites: sites.map((s) => ({
        siteId: s.id,
        name: s.name,
        organization: s.organization.slug,
        connected: app.hub.connection(s.id) !== null,
        lastMessageAt: s.lastMessageAt?.toISOString() ?? null,
      })),
    };
  });

  r.get(
    '/api/sites/:siteId',
    { preHandler: readers, schema: { tags: ['sites'], params: siteParams } },
    async (request) => {
      const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
      const site = await findSite(app.prisma, scope, request.params.siteId);
      if (!site) throw notFound('SITE_NOT_FOUND', 'No such site in your organizations.');
      return { siteId: site.id, name: site.name, organization: site.organization.slug };
    },
  );

  r.post(
    '/api/admin/organizations',
    {
      preHandler: admin,
      schema: { tags: ['admin'], body: z.strictObject({ slug, name: z.string().min(1).max(200) }) },
    },
    async (request, reply) => {
      const org = await createOrganization(app.prisma, request.body.slug, request.body.name);
      reply.code(201);
      return { id: org.id, slug: org.slug, name: org.name };
    },
  );

  r.post(
    '/api/admin/sites',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        body: z.strictObject({
          siteId: z.string().max(40),
          name: z.string().min(1).max(200),
          organization: slug,
          publicKey: z.string().min(40).max(1000),
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { site, kid } = await registerSite(app.prisma, {
        siteId: b.siteId,
        name: b.name,
        orgSlug: b.organization,
        publicKey: b.publicKey,
      });
      await app.hub.keysChanged(site.id);
      reply.code(201);
      return { siteId: site.id, kid, cloudKid: app.hub.signer.kid };
    },
  );

  r.get(
    '/api/admin/sites/:siteId/keys',
    { preHandler: admin, schema: { tags: ['admin'], params: siteParams } },
    async (request) => ({
      keys: (await listKeys(app.prisma, request.params.siteId)).map((k) => ({
        kid: k.kid,
        notBefore: k.notBefore.toISOString(),
        notAfter: k.notAfter?.toISOString() ?? null,
        revokedAt: k.revokedAt?.toISOString() ?? null,
      })),
    }),
  );

  r.post(
    '/api/admin/sites/:siteId/keys',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        params: siteParams,
        body: z.strictObject({
          publicKey: z.string().min(40).max(1000),
          overlapSeconds: z
            .number()
            .int()
            .min(0)
            .max(30 * 86_400)
            .default(86_400),
        }),
      },
    },
    async (request, reply) => {
      const key = await rotateSiteKey(
        app.prisma,
        request.params.siteId,
        request.body.publicKey,
        request.body.overlapSeconds * 1000,
      );
      await app.hub.keysChanged(request.params.siteId);
      reply.code(201);
      return { kid: key.kid };
    },
  );

  r.post(
    '/api/admin/sites/:siteId/keys/:kid/revoke',
    {
      preHandler: admin,
      schema: { tags: ['admin'], params: z.object({ siteId: z.string().max(40), kid: z.string().max(40) }) },
    },
    async (request) => {
      await revokeSiteKey(app.prisma, request.params.siteId, request.params.kid);
      await app.hub.keyRevoked(request.params.siteId, request.params.kid);
      return { revoked: true };
    },
  );
}
