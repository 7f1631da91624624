import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const auditQuery = z.strictObject({
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const auditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  roles: z.array(z.string()),
  action: z.string(),
  resource: z.string(),
  address: z.string().nullable(),
});

export async function auditRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/admin/audit',
    {
      preHandler: app.requireRole('site-admin'),
      schema: {
        tags: ['audit'],
        querystring: auditQuery,
        response: { 200: z.object({ events: z.array(auditEvent) }) },
      },
    },
    async (request) => {
      const rows = await app.audit.list(request.query);
      return {
        events: rows.map((r) => ({ ...r, id: r.id.toString(), at: r.at.toISOString() })),
      };
    },
  );
}
