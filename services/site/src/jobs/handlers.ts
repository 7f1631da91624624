import type { FastifyInstance } from 'fastify';
import { buildExportHandler, expireExportsHandler } from '../modules/exports/jobs.ts';
import { reapOrphansHandler, seriesIndexedHandler } from '../modules/ingest/jobs.ts';
import { computeQualityHandler, expireLeasesHandler } from '../modules/tasks/jobs.ts';
import { JobName } from './names.ts';
import type { JobHandlers } from './queues.ts';

/** Every job's handler, one line each; the type makes a missing one a compile error. */
export function createJobHandlers(app: FastifyInstance): JobHandlers {
  return {
    [JobName.SeriesIndexed]: seriesIndexedHandler(app),
    [JobName.ReapOrphans]: reapOrphansHandler(app),
    [JobName.ComputeQuality]: computeQualityHandler(app),
    [JobName.ExpireLeases]: expireLeasesHandler(app),
    [JobName.BuildExport]: buildExportHandler(app),
    [JobName.ExpireExports]: expireExportsHandler(app),
  };
}
