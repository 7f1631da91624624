import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';
import { annotatorDays, annotatorSummaries, projectOverview } from './analytics-repository.ts';
import { toCsv } from './csv.ts';
import { displayNames, listProjects } from './repository.ts';
import {
  annotatorParamsSchema,
  performanceQuerySchema,
  projectParamsSchema,
  settingsBodySchema,
} from './schemas.ts';
import { requireVisibleSite, visibleSiteIds } from './scope.ts';
import { changeSettings, settingsWithState } from './settings-service.ts';
import { DEFAULT_THRESHOLDS } from './task-summary.ts';

const round = (v: number | null, digits = 4) => (v === null ? null : Number(v.toFixed(digits)));

/** Project overview, annotator performance (JSON and CSV) and the cloud-owned project settings. */
export async function qcProjectRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin);
  const scope = (request: { principal?: Parameters<typeof scopeOf>[0] }) =>
    scopeOf(request.principal, app.config.ORG_GROUP_PREFIX);

  r.get('/api/qc/projects', { preHandler: roles, schema: { tags: ['qc'] } }, async (request) => {
    const rows = await listProjects(app.prisma, await visibleSiteIds(app.prisma, scope(request)));
    return {
      projects: rows.map((p) => ({
        siteId: p.siteId,
        projectId: p.projectId,
        tasks: Number(p.tasks),
        open: Number(p.open),
        flagged: Number(p.flagged),
      })),
    };
  });

  r.get(
    '/api/qc/projects/:siteId/:projectId/overview',
    { preHandler: roles, schema: { tags: ['qc'], params: projectParamsSchema } },
    async (request) => {
      const { siteId, projectId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      return { siteId, projectId, ...(await projectOverview(app.prisma, siteId, projectId)) };
    },
  );

  // Exports made at the site for this project: counts only (the files never leave the hospital).
  r.get(
    '/api/qc/projects/:siteId/:projectId/exports',
    { preHandler: roles, schema: { tags: ['qc'], params: projectParamsSchema } },
    async (request) => {
      const { siteId, projectId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      const rows = await app.prisma.qcExport.findMany({
        where: { siteId, projectId },
        orderBy: { completedAt: 'desc' },
        take: 200,
      });
      return {
        exports: rows.map((x) => ({
          exportId: x.exportId,
          variant: x.variant,
          formats: x.formats,
          taskCount: x.taskCount,
          fileCount: x.fileCount,
          bytes: Number(x.bytes),
          completedAt: x.completedAt.toISOString(),
        })),
      };
    },
  );

  r.get(
    '/api/qc/projects/:siteId/:projectId/annotators',
    {
      preHandler: roles,
      schema: { tags: ['qc'], params: projectParamsSchema, querystring: performanceQuerySchema },
    },
    async (request) => {
      const { siteId, projectId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      const rows = await annotatorSummaries(app.prisma, siteId, projectId, request.query);
      return {
        annotators: rows.map((a) => ({
          annotatorId: a.annotatorId,
          // Only where the site allows it (ANNOTATOR_NAMES_TO_CLOUD); else null and the pseudonym shows.
          displayName: a.displayName,
          tasks: Number(a.tasks),
          goldTasks: Number(a.goldTasks),
          goldAccuracy: a.goldAccuracy,
          consensusAgreement: a.consensusAgreement,
          meanDice: a.meanDice,
          meanF1: a.meanF1,
          stapleSensitivity: a.stapleSensitivity,
          stapleSpecificity: a.stapleSpecificity,
          activeSecondsPerTask: round(a.activeSecondsPerTask, 1),
          reworkRate: a.reworkRate,
          meanRevisions: round(a.meanRevisions, 2),
          firstAt: a.firstAt.toISOString(),
          lastAt: a.lastAt.toISOString(),
        })),
      };
    },
  );

  r.get(
    '/api/qc/projects/:siteId/:projectId/annotators/:annotatorId/performance',
    {
      preHandler: roles,
      schema: { tags: ['qc'], params: annotatorParamsSchema, querystring: performanceQuerySchema },
    },
    async (request) => {
      const { siteId, projectId, annotatorId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      const days = await annotatorDays(app.prisma, siteId, projectId, request.query, annotatorId);
      return {
        annotatorId,
        days: days.map((d) => ({
          day: d.day,
          tasks: Number(d.tasks),
          goldTasks: Number(d.goldTasks),
          goldAccuracy: d.goldAccuracy,
          consensusAgreement: d.consensusAgreement,
          meanDice: d.meanDice,
          meanActiveSeconds: round(d.meanActiveSeconds, 1),
          reworkRate: d.reworkRate,
        })),
      };
    },
  );

  r.get(
    '/api/qc/projects/:siteId/:projectId/annotators.csv',
    {
      preHandler: roles,
      schema: { tags: ['qc'], params: projectParamsSchema, querystring: performanceQuerySchema },
    },
    async (request, reply) => {
      const { siteId, projectId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      const days = await annotatorDays(app.prisma, siteId, projectId, request.query);
      const names = await displayNames(app.prisma, siteId, [...new Set(days.map((d) => d.annotatorId))]);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="annotators-${siteId}-${projectId}.csv"`);
      return toCsv(
        [
          'annotator_id',
          'display_name',
          'day',
          'tasks',
          'gold_tasks',
          'gold_accuracy',
          'consensus_agreement',
          'mean_dice',
          'mean_active_seconds',
          'rework_rate',
        ],
        days.map((d) => [
          d.annotatorId,
          names.get(d.annotatorId) ?? null,
          d.day,
          Number(d.tasks),
          Number(d.goldTasks),
          round(d.goldAccuracy),
          round(d.consensusAgreement),
          round(d.meanDice),
          round(d.meanActiveSeconds, 1),
          round(d.reworkRate),
        ]),
      );
    },
  );

  r.get(
    '/api/qc/projects/:siteId/:projectId/settings',
    { preHandler: roles, schema: { tags: ['qc'], params: projectParamsSchema } },
    async (request) => {
      const { siteId, projectId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      const revisions = await settingsWithState(app.prisma, siteId, projectId);
      const applied = revisions.find((s) => s.command.state === 'applied');
      return {
        siteId,
        projectId,
        // What flags tasks in the cloud now (the newest revision issued, else the defaults).
        current: revisions[0] ?? null,
        defaults: { flagThresholds: DEFAULT_THRESHOLDS },
        // The newest revision the site confirmed, and when it took effect there.
        inEffectAtSite: applied ? { revision: applied.revision, since: applied.command.resultAt } : null,
        revisions,
      };
    },
  );

  r.put(
    '/api/qc/projects/:siteId/:projectId/settings',
    { preHandler: roles, schema: { tags: ['qc'], params: projectParamsSchema, body: settingsBodySchema } },
    async (request, reply) => {
      const { siteId, projectId } = request.params;
      await requireVisibleSite(app.prisma, scope(request), siteId);
      const out = await changeSettings(app.prisma, request.principal, { siteId, projectId }, request.body);
      app.hub.notifyCommands(siteId);
      reply.code(202);
      return {
        siteId,
        projectId,
        revision: out.revision,
        commandSeq: out.commandSeq,
        reflaggedTasks: out.reflagged,
      };
    },
  );
}
