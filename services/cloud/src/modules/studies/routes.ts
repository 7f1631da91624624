import { notFound } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';
import { findStudy, listStudies } from './repository.ts';

type StudyRow = Awaited<ReturnType<typeof listStudies>>[number];

const present = (s: StudyRow) => ({
  siteId: s.siteId,
  studyId: s.studyId,
  firstSeenAt: s.firstSeenAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  series: s.series.map((x) => ({
    seriesId: x.seriesId,
    modality: x.modality,
    sopClassUid: x.sopClassUid,
    instanceCount: x.instanceCount,
    frameCount: x.frameCount,
    rows: x.rows,
    columns: x.columns,
    sliceThicknessMm: x.sliceThicknessMm,
  })),
});

/** Studies sites reported, under their pseudonyms, limited to the caller's organizations. */
export async function studyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin);
  r.get(
    '/api/studies',
    {
      preHandler: roles,
      schema: {
        tags: ['studies'],
        querystring: z.object({
          siteId: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
    },
    async (request) => {
      const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
      const q = request.query;
      const rows = await listStudies(app.prisma, scope, {
        ...(q.siteId ? { siteId: q.siteId } : {}),
        take: q.limit,
        skip: q.offset,
      });
      return { studies: rows.map(present) };
    },
  );
  r.get(
    '/api/sites/:siteId/studies/:studyId',
    {
      preHandler: roles,
      schema: {
        tags: ['studies'],
        params: z.object({ siteId: z.string().max(40), studyId: z.string().max(80) }),
      },
    },
    async (request) => {
      const scope = scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);
      const row = await findStudy(app.prisma, scope, request.params.siteId, request.params.studyId);
      if (!row) throw notFound('STUDY_NOT_FOUND', 'No such study in your organizations.');
      return present(row);
    },
  );
}
