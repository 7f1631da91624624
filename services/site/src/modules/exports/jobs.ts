import type { FastifyInstance } from 'fastify';
import type { JobName } from '../../jobs/names.ts';
import type { JobHandler } from '../../jobs/queues.ts';
import { buildExport, expireExports } from './build-export.ts';
import { exportContextOf } from './context.ts';

export const buildExportHandler =
  (app: FastifyInstance): JobHandler<JobName.BuildExport> =>
  async ({ exportId }) =>
    buildExport(exportContextOf(app), exportId, app.log);

export const expireExportsHandler =
  (app: FastifyInstance): JobHandler<JobName.ExpireExports> =>
  async () => {
    const n = await expireExports(exportContextOf(app));
    if (n > 0) app.log.info({ exports: n }, 'expired exports deleted');
  };
