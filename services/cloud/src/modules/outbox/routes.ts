import { notFound } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findSite } from '../sites/repository.ts';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';
import { enqueueCommand, listCommands } from './repository.ts';

const siteParams = z.object({ siteId: z.string().max(40) });

/** Commands to sites: ping (the end-to-end proof of the command path) and the command log. */
export async function outboxRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin);
  r.post(
    '/api/sites/:siteId/ping',
    { preHandler: roles, schema: { tags: ['commands'], params: siteParams } },
    async (request, reply) => {
      const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
      const { siteId } = request.params;
      const seq = await app.prisma.$transaction(async (tx) => {
        if (!(await findSite(tx, scope, siteId)))
          throw notFound('SITE_NOT_FOUND', 'No such site in your organizations.');
        return enqueueCommand(tx, siteId, 'ping', {}, request.principal?.sub);
      });
      app.hub.notifyCommands(siteId);
      reply.code(202);
      return { siteId, seq, type: 'ping' };
    },
  );
  r.get(
    '/api/sites/:siteId/commands',
    { preHandler: roles, schema: { tags: ['commands'], params: siteParams } },
    async (request) => {
      const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
      if (!(await findSite(app.prisma, scope, request.params.siteId))) {
        throw notFound('SITE_NOT_FOUND', 'No such site in your organizations.');
      }
      const rows = await listCommands(app.prisma, scope, request.params.siteId);
      return {
        commands: rows.map((c) => ({
          seq: Number(c.seq),
          type: c.type,
          createdAt: c.createdAt.toISOString(),
          ackedAt: c.ackedAt?.toISOString() ?? null,
          result: c.resultStatus
            ? { status: c.resultStatus, code: c.resultCode, at: c.resultAt?.toISOString() }
            : null,
        })),
      };
    },
  );
}
