import type { FastifyInstance } from 'fastify';
import { taskIdentity } from '../tasks/identity.ts';
import { createExportRepository } from './repository.ts';
import type { ExportContext } from './service.ts';

const byApp = new WeakMap<FastifyInstance, ExportContext>();

/** The app's export context, made once (after the DICOMweb module has decorated its annotator view). */
export function exportContextOf(app: FastifyInstance): ExportContext {
  let ctx = byApp.get(app);
  if (!ctx) {
    ctx = {
      repository: createExportRepository(app.prisma),
      storage: app.storage,
      queues: app.queues,
      ids: taskIdentity(app.config.SITE_SECRET),
      view: app.annotatorView,
      secret: app.config.SITE_SECRET,
    };
    byApp.set(app, ctx);
  }
  return ctx;
}
