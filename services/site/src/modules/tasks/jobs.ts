import type { FastifyInstance } from 'fastify';
import type { JobName } from '../../jobs/names.ts';
import type { JobHandler } from '../../jobs/queues.ts';
import { routeSeries } from '../projects/service.ts';
import { computeQualityForTask } from '../quality/job.ts';
import { taskContextOf } from './context.ts';
import { expireLeases } from './service.ts';

export const computeQualityHandler =
  (app: FastifyInstance): JobHandler<JobName.ComputeQuality> =>
  async ({ taskId }) =>
    computeQualityForTask(taskContextOf(app), taskId);

export const expireLeasesHandler =
  (app: FastifyInstance): JobHandler<JobName.ExpireLeases> =>
  async () => {
    await expireLeases(taskContextOf(app));
  };

/** Routing part of the series follow-up: the tasks a new series calls for. */
export const routeIndexedSeries = (app: FastifyInstance, seriesId: string) =>
  routeSeries(app.prisma, taskContextOf(app), seriesId);
