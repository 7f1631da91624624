import { notFound } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CLOUD_ROLES, scopeOf } from '../tenancy/org-scope.ts';
import { taskKind } from './ingest-repository.ts';
import { presentDecision, presentTask } from './present.ts';
import {
  displayNames,
  findTask,
  labelSetsOf,
  latestDecisions,
  listDecisions,
  listTasks,
  metricsHistory,
  seriesOf,
  typicalTimeOf,
} from './repository.ts';
import { taskListQuerySchema, taskParamsSchema } from './schemas.ts';
import { visibleSiteIds } from './scope.ts';
import { currentThresholds } from './settings-repository.ts';
import { timeOutlierOf } from './task-summary.ts';

/** The review queue and the task page. */
export async function qcTaskRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.requireRole(CLOUD_ROLES.qcManager, CLOUD_ROLES.admin);
  const sitesOf = (request: { principal?: Parameters<typeof scopeOf>[0] }) =>
    visibleSiteIds(app.prisma, scopeOf(request.principal, app.config.ORG_GROUP_PREFIX));

  r.get(
    '/api/qc/tasks',
    { preHandler: roles, schema: { tags: ['qc'], querystring: taskListQuerySchema } },
    async (request) => {
      const { sort, limit, offset, ...filter } = request.query;
      const sites = await sitesOf(request);
      const { rows, total } = await listTasks(app.prisma, sites, filter, { sort, limit, offset });
      const decisions = new Map(
        (await latestDecisions(app.prisma, rows)).map((d) => [`${d.siteId}/${d.taskId}`, d]),
      );
      const count = await total;
      return {
        tasks: rows.map((t) => presentTask(t, decisions.get(`${t.siteId}/${t.taskId}`))),
        total: count,
        limit,
        offset,
      };
    },
  );

  r.get(
    '/api/qc/tasks/:siteId/:taskId',
    { preHandler: roles, schema: { tags: ['qc'], params: taskParamsSchema } },
    async (request) => {
      const { siteId, taskId } = request.params;
      const sites = await sitesOf(request);
      const task = await findTask(app.prisma, sites, siteId, taskId);
      if (!task) throw notFound('TASK_NOT_FOUND', 'No such task in your organizations.');
      const [history, decisions, labelSets, series, thresholds, typical] = await Promise.all([
        metricsHistory(app.prisma, siteId, taskId),
        listDecisions(app.prisma, sites, { siteId, taskId, limit: 100, offset: 0 }),
        labelSetsOf(app.prisma, siteId, taskId),
        seriesOf(app.prisma, siteId, task.seriesIds),
        currentThresholds(app.prisma, siteId, [task.projectId]),
        typicalTimeOf(app.prisma, siteId, task.projectId, taskKind(task.modalities)),
      ]);
      const newest = history.find(
        (h) => task.metricsRevision !== null && h.revision === task.metricsRevision,
      );
      const annotators = (newest?.annotators ?? []) as {
        annotatorId: string;
        score: number;
        metrics: Record<string, number>;
        activeSeconds?: number;
        revisionCount?: number;
        reworkCount?: number;
      }[];
      const names = await displayNames(
        app.prisma,
        siteId,
        annotators.map((a) => a.annotatorId),
      );
      const factor = thresholds(task.projectId).timeOutlierFactor;
      const typicalTime = typical ?? undefined;
      return {
        task: { ...presentTask(task, undefined), seriesIds: task.seriesIds },
        series,
        labels: task.labels.map((l) => ({
          labelId: l.labelId,
          agreement: l.agreement,
          dice: l.dice,
          iou: l.iou,
          hd95Mm: l.hd95Mm,
          f1: l.f1,
          kappa: l.kappa,
          metrics: l.metrics,
        })),
        annotators: annotators.map((a) => ({
          annotatorId: a.annotatorId,
          score: a.score,
          // On a gold task the site scores against the reference, otherwise against the consensus.
          scoredAgainst: task.isGold ? 'gold' : 'consensus',
          stapleSensitivity: a.metrics.staple_sensitivity ?? null,
          stapleSpecificity: a.metrics.staple_specificity ?? null,
          metrics: a.metrics,
          // Where the site allows it; else null and the pseudonym is all there is.
          displayName: names.get(a.annotatorId) ?? null,
          // Work numbers of the assignment; null from a site that predates them.
          activeSeconds: a.activeSeconds ?? null,
          revisionCount: a.revisionCount ?? null,
          reworkCount: a.reworkCount ?? null,
          timeOutlier: timeOutlierOf(a.activeSeconds, typicalTime, factor),
        })),
        // What time_outlier compares against: the project's median time for this kind of task.
        activeTime: {
          typicalSeconds: typicalTime ? Math.round(typicalTime.medianSeconds * 10) / 10 : null,
          samples: typicalTime?.samples ?? 0,
          factor: factor ?? null,
        },
        // Per label, the label's main metric between every pair of annotators (as the site sent it).
        pairwise: task.labels.flatMap((l) => {
          const p = l.pairwise as { metric: string; pairs: unknown[] } | null;
          return p ? [{ labelId: l.labelId, metric: p.metric, pairs: p.pairs }] : [];
        }),
        metricsHistory: history.map((h) => ({
          revision: Number(h.revision),
          at: h.sentAt.toISOString(),
          labels: h.labels,
          annotators: h.annotators,
        })),
        decisions: decisions.map(presentDecision),
        labelSets: labelSets.map((s) => ({
          annotationSetId: s.annotationSetId,
          method: s.method,
          annotatorId: s.annotatorId,
          labelIds: s.labelIds,
          finalizedAt: s.finalizedAt.toISOString(),
        })),
      };
    },
  );
}
