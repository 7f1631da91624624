import type { FastifyInstance } from 'fastify';
import { qcDecisionRoutes } from './decision-routes.ts';
import {
  applyAnnotatorProfile,
  applyExportCompleted,
  applyLabelsetFinalized,
  applyTaskMetrics,
  applyTaskUpserted,
  reflagDriftedProjects,
} from './ingest-repository.ts';
import { qcProjectRoutes } from './project-routes.ts';
import { qcTaskRoutes } from './task-routes.ts';

/**
 * The QC module: applies task.upserted, task.metrics, labelset.finalized, annotator.profile and export.completed
 * from the inbox, and
 * serves the QC API. command.result needs no handler here: the outbox row it updates is where a
 * decision's and a settings revision's state is read from. Every few minutes it re-flags time
 * outliers of projects whose typical times drifted.
 */
export async function qcModule(app: FastifyInstance) {
  app.inboxHandlers.register('task.upserted', applyTaskUpserted);
  app.inboxHandlers.register('task.metrics', applyTaskMetrics);
  app.inboxHandlers.register('labelset.finalized', applyLabelsetFinalized);
  app.inboxHandlers.register('annotator.profile', applyAnnotatorProfile);
  app.inboxHandlers.register('export.completed', applyExportCompleted);
  await app.register(qcTaskRoutes);
  await app.register(qcDecisionRoutes);
  await app.register(qcProjectRoutes);

  // time_outlier is decided when a task's metrics arrive; as the project's typical times move,
  // tasks flagged earlier are re-flagged in the background.
  const reflag = setInterval(() => {
    reflagDriftedProjects(app.prisma).catch((err: Error) =>
      app.log.error({ err: { message: err.message } }, 'time-outlier re-flagging failed'),
    );
  }, REFLAG_EVERY_MS);
  reflag.unref();
  app.addHook('onClose', async () => clearInterval(reflag));
}

const REFLAG_EVERY_MS = 5 * 60_000;
