import { Readable } from 'node:stream';
import { AppError } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportContextOf } from './context.ts';
import { downloadLink, verifyDownloadLink } from './download-link.ts';
import { exportNotFound } from './errors.ts';
import { createExportBody, SINGLE_TASK_FORMATS } from './schemas.ts';
import {
  cancelExport,
  downloadExport,
  getExport,
  listExports,
  requestExport,
  retryExport,
} from './service.ts';
import { singleTaskFile } from './task-export.ts';

const params = z.strictObject({ id: z.string().uuid() });

/**
 * Label exports: made and downloaded inside the hospital (the cloud only hears that one happened). Site
 * administrators request, follow, cancel, retry and download them; a reviewer may fetch one task's
 * de-identified labels directly. Identified exports (original UIDs) are site-admin only and audited.
 */
export async function exportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = app.requireRole('site-admin');
  const ctx = () => exportContextOf(app);

  r.post(
    '/api/exports',
    { preHandler: admin, schema: { tags: ['exports'], body: createExportBody } },
    async (request, reply) => {
      const view = await requestExport(ctx(), request.body, request.principal!);
      await app.audit.record(request, 'export.request', `export/${view.id}`, {
        variant: view.variant,
        formats: view.formats.join(','),
        tasks: view.itemsTotal,
      });
      return reply.code(202).send(view);
    },
  );
  r.get(
    '/api/exports',
    {
      preHandler: admin,
      schema: { tags: ['exports'], querystring: z.strictObject({ projectId: z.string().uuid().optional() }) },
    },
    async (request) => ({ items: await listExports(ctx(), request.query.projectId) }),
  );
  r.get('/api/exports/:id', { preHandler: admin, schema: { tags: ['exports'], params } }, async (request) =>
    getExport(ctx(), request.params.id),
  );
  r.post(
    '/api/exports/:id/cancel',
    { preHandler: admin, schema: { tags: ['exports'], params } },
    async (request) => {
      const view = await cancelExport(ctx(), request.params.id);
      await app.audit.record(request, 'export.cancel', `export/${view.id}`);
      return view;
    },
  );
  r.post(
    '/api/exports/:id/retry',
    { preHandler: admin, schema: { tags: ['exports'], params } },
    async (request) => retryExport(ctx(), request.params.id),
  );
  r.post(
    '/api/exports/:id/link',
    { preHandler: admin, schema: { tags: ['exports'], params } },
    async (request) => {
      await getExport(ctx(), request.params.id);
      return downloadLink(app.config.SITE_SECRET, request.params.id, request.principal!.sub);
    },
  );

  // A bearer token (API clients, curl -C -) or a signed link (the browser's own download manager).
  r.get(
    '/api/exports/:id/download',
    {
      schema: {
        tags: ['exports'],
        params,
        querystring: z.strictObject({
          sub: z.string().max(200).optional(),
          expires: z.string().max(20).optional(),
          sig: z.string().max(100).optional(),
        }),
      },
      // With a signature in the query the link is the credential, checked below; otherwise a bearer token.
      config: { authenticatesItself: (request) => new URL(request.url, 'http://x').searchParams.has('sig') },
      preHandler: async (request, reply) => {
        if (request.query.sig) {
          const sub = verifyDownloadLink(app.config.SITE_SECRET, request.params.id, request.query);
          if (!sub)
            throw new AppError('EXPORT_LINK_INVALID', 403, 'This download link is invalid or has expired.');
          // The link grants this one download, nothing else: no roles.
          request.principal = { sub, username: sub, roles: [], groups: [], clientId: undefined };
          return;
        }
        return admin.call(app, request, reply);
      },
    },
    async (request, reply) => {
      const download = await downloadExport(
        ctx(),
        request.params.id,
        request.headers.range,
        request.headers['if-range'] as string | undefined,
      );
      await app.audit.record(request, 'export.download', `export/${download.row.id}`, {
        variant: download.row.variant,
        via: request.query.sig ? 'link' : 'token',
        ...(download.headers['content-range'] ? { range: download.headers['content-range'] } : {}),
      });
      reply.code(download.status).headers(download.headers);
      return reply.send(Readable.from(download.body));
    },
  );

  r.get(
    '/api/tasks/:id/export/:format',
    {
      preHandler: app.requireRole('site-admin', 'reviewer'),
      schema: {
        tags: ['exports'],
        params: z.strictObject({ id: z.string().uuid(), format: z.enum(SINGLE_TASK_FORMATS) }),
        querystring: z.strictObject({
          variant: z.enum(['deidentified', 'identified']).default('deidentified'),
        }),
      },
    },
    async (request, reply) => {
      const { variant } = request.query;
      const file = await singleTaskFile(
        ctx(),
        request.params.id,
        request.params.format,
        variant,
        request.principal!,
      );
      if (!file) throw exportNotFound();
      if (variant === 'identified')
        await app.audit.record(request, 'export.identified', `task/${request.params.id}`, {
          format: request.params.format,
        });
      reply.headers({
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.name}"`,
        'cache-control': 'private, no-store',
      });
      return reply.send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
    },
  );
}
