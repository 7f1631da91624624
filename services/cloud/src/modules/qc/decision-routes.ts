import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';
import { decideBulk, decideTask } from './decision-service.ts';
import { presentDecision } from './present.ts';
import { listDecisions } from './repository.ts';
import {
  bulkDecisionBodySchema,
  decisionBodySchema,
  decisionListQuerySchema,
  taskParamsSchema,
} from './schemas.ts';
import { visibleSiteIds } from './scope.ts';

/** Decisions: one task, a filtered set, and the audit trail with each decision's travel state. */
export async function qcDecisionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin);
  const sitesOf = (request: { principal?: Parameters<typeof scopeOf>[0] }) =>
    visibleSiteIds(app.prisma, scopeOf(request.principal, app.config.ORG_GROUP_PREFIX));

  r.post(
    '/api/qc/tasks/:siteId/:taskId/decisions',
    { preHandler: roles, schema: { tags: ['qc'], params: taskParamsSchema, body: decisionBodySchema } },
    async (request, reply) => {
      const sites = await sitesOf(request);
      const row = await decideTask(app.prisma, sites, request.principal, request.params, request.body);
      app.hub.notifyCommands(row.siteId);
      const [withState] = await listDecisions(app.prisma, sites, {
        siteId: row.siteId,
        taskId: row.taskId,
        limit: 1,
        offset: 0,
      });
      reply.code(202);
      return withState ? presentDecision(withState) : null;
    },
  );

  r.post(
    '/api/qc/decisions/bulk',
    { preHandler: roles, schema: { tags: ['qc'], body: bulkDecisionBodySchema } },
    async (request, reply) => {
      const sites = await sitesOf(request);
      const out = await decideBulk(app.prisma, sites, request.principal, request.body);
      for (const siteId of out.siteIds) app.hub.notifyCommands(siteId);
      reply.code(202);
      return { bulkId: out.bulkId, count: out.count };
    },
  );

  r.get(
    '/api/qc/decisions',
    { preHandler: roles, schema: { tags: ['qc'], querystring: decisionListQuerySchema } },
    async (request) => {
      const rows = await listDecisions(app.prisma, await sitesOf(request), request.query);
      return {
        decisions: rows.map(presentDecision),
        limit: request.query.limit,
        offset: request.query.offset,
      };
    },
  );
}
