import type { ConnectionOptions } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { JobName } from '../../jobs/names.ts';
import { type JobHandler, scheduleRepeating } from '../../jobs/queues.ts';
import { routeIndexedSeries } from '../tasks/jobs.ts';
import { createUploadRepository } from '../uploads/repository.ts';
import { ingestContextOf } from './context.ts';
import { reapOrphans, sweepPrefixAt } from './reaper.ts';

export const REAP_EVERY_MS = 15 * 60_000;

/** Follow-up after instances of a series were indexed. Routing, tasks and sync hook in here. */
export function seriesIndexedHandler(app: FastifyInstance): JobHandler<JobName.SeriesIndexed> {
  return async ({ seriesId }) => {
    const instances = await app.prisma.instance.count({ where: { seriesRef: seriesId } });
    const tasks = await routeIndexedSeries(app, seriesId);
    app.log.debug({ seriesId, instances, tasks }, 'series indexed');
  };
}

/** Stale pending objects every run; unaccounted objects in the run's sixteenth of the store. */
export function reapOrphansHandler(
  app: FastifyInstance,
  clock: () => Date = () => new Date(),
): JobHandler<JobName.ReapOrphans> {
  return async () => {
    const ctx = ingestContextOf(app);
    const grace = app.config.ORPHAN_GRACE_SECONDS;
    const now = clock();
    await reapOrphans(
      { repository: ctx.repository, storage: ctx.storage, log: ctx.log },
      grace,
      now,
      sweepPrefixAt(now, REAP_EVERY_MS),
    );
    // Uploads whose process died mid-way are marked INTERRUPTED (their files are each whole or absent).
    await createUploadRepository(app.prisma).failStale(new Date(Date.now() - grace * 1000));
  };
}

/** Makes the orphan reaper a repeating job (idempotent across worker processes). */
export async function scheduleOrphanReaper(
  connection: ConnectionOptions,
  prefix: string,
  everyMs = REAP_EVERY_MS,
) {
  await scheduleRepeating(connection, prefix, JobName.ReapOrphans, {}, everyMs);
}
