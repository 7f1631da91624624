import { type ConnectionOptions, Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { JobName, QueueName } from '../../jobs/names.ts';
import { type JobHandler, scheduleRepeating } from '../../jobs/queues.ts';
import { routeIndexedSeries } from '../tasks/jobs.ts';
import { createUploadRepository } from '../uploads/repository.ts';
import { ingestContextOf } from './context.ts';
import { reapOrphans } from './reaper.ts';

/** Follow-up after instances of a series were indexed. Routing, tasks and sync hook in here. */
export function seriesIndexedHandler(app: FastifyInstance): JobHandler<JobName.SeriesIndexed> {
  return async ({ seriesId }) => {
    const instances = await app.prisma.instance.count({ where: { seriesRef: seriesId } });
    const tasks = await routeIndexedSeries(app, seriesId);
    app.log.debug({ seriesId, instances, tasks }, 'series indexed');
  };
}

export function reapOrphansHandler(app: FastifyInstance): JobHandler<JobName.ReapOrphans> {
  return async () => {
    const ctx = ingestContextOf(app);
    const grace = app.config.ORPHAN_GRACE_SECONDS;
    await reapOrphans({ repository: ctx.repository, storage: ctx.storage, log: ctx.log }, grace);
    // Uploads whose process died mid-way are marked INTERRUPTED (their files are each whole or absent).
    await createUploadRepository(app.prisma).failStale(new Date(Date.now() - grace * 1000));
  };
}

/** Makes the orphan reaper a repeating job (idempotent across worker processes). */
export async function scheduleOrphanReaper(
  connection: ConnectionOptions,
  prefix: string,
  everyMs = 15 * 60_000,
) {
  await scheduleRepeating(connection, prefix, JobName.ReapOrphans, {}, everyMs);
}
