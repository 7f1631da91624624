import type { Readable } from 'node:stream';
import { AppError, hasAnyRole, notFound } from '@annex/platform';
import busboy from 'busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ingestContextOf } from '../ingest/context.ts';
import { STOW_ROLES } from '../ingest/stow/routes.ts';
import { UploadError } from './errors.ts';
import { processUpload } from './process-upload.ts';
import { receiveToTempFile, removeStaleTempFiles, sniff } from './receive.ts';
import { createUploadRepository } from './repository.ts';
import { uploadFilesQuery, uploadParams, uploadQuery, uploadView } from './schemas.ts';
import { openCheckedZip } from './zip-archive.ts';

const RAW_TYPES = [
  'application/zip',
  'application/x-zip-compressed',
  'application/dicom',
  'application/octet-stream',
];

/** The first file of a multipart/form-data body, as a stream (busboy), with its client-side name. */
function firstFormFile(
  body: Readable,
  headers: FastifyRequest['headers'],
): Promise<{ stream: Readable; name: string }> {
  return new Promise((resolve, reject) => {
    const form = busboy({ headers: headers as Record<string, string>, limits: { files: 1 } });
    let found = false;
    form.on('file', (_field, stream, info) => {
      found = true;
      resolve({ stream, name: info.filename ?? 'upload' });
    });
    form.on('error', () => reject(new UploadError('UPLOAD_EMPTY', 'The form could not be read.')));
    form.on('finish', () => {
      if (!found) reject(new UploadError('UPLOAD_EMPTY', 'The form holds no file.'));
    });
    body.pipe(form);
  });
}

const dispositionName = (header: string | undefined) =>
  /filename="?([^";]+)"?/i.exec(header ?? '')?.[1] ?? 'upload';

/**
 * POST /api/uploads: one DICOM file or a zip of them, streamed to a temp file, archive-level
 * checks answered at once (zip bombs, unsafe paths, size), files ingested in the background with
 * progress at GET /api/uploads/{id}.
 */
export async function uploadRoutes(app: FastifyInstance) {
  for (const type of [...RAW_TYPES, 'multipart/form-data']) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }
  const uploads = createUploadRepository(app.prisma);
  const max = app.config.UPLOAD_MAX_BYTES;
  const inFlight = new Set<Promise<void>>();
  await removeStaleTempFiles(24 * 3600_000);
  app.addHook('onClose', async () => {
    await Promise.allSettled(inFlight);
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/uploads',
    { preHandler: app.requireRole(...STOW_ROLES), schema: { tags: ['uploads'], querystring: uploadQuery } },
    async (request, reply) => {
      if (Number(request.headers['content-length'] ?? 0) > max) {
        throw new UploadError('PAYLOAD_TOO_LARGE', `An upload may be at most ${max} bytes.`);
      }
      const projectId = request.query.project;
      const { id } = await uploads.create({
        createdBy: request.principal!.sub,
        projectId: projectId ?? null,
      });
      let tempPath: string | undefined;
      try {
        const form = request.headers['content-type']?.startsWith('multipart/form-data');
        const { stream, name } = form
          ? await firstFormFile(request.body as Readable, request.headers)
          : {
              stream: request.body as Readable,
              name: dispositionName(request.headers['content-disposition']),
            };
        const received = await receiveToTempFile(stream, max);
        tempPath = received.path;
        if (received.size === 0) throw new UploadError('UPLOAD_EMPTY', 'The upload is empty.');
        const kind = await sniff(received.path);
        const zip =
          kind === 'zip'
            ? await openCheckedZip(received.path, {
                maxEntries: app.config.ZIP_MAX_ENTRIES,
                maxTotalBytes: app.config.ZIP_MAX_TOTAL_BYTES,
                maxRatio: app.config.ZIP_MAX_RATIO,
              })
            : undefined;
        await uploads.update(id, {
          kind: zip ? 'zip' : 'dicom',
          bytesReceived: received.size,
          totalEntries: zip ? zip.entries.length : 1,
          status: 'processing',
        });
        const job = processUpload(ingestContextOf(app), uploads, {
          uploadId: id,
          tempPath: received.path,
          projectId,
          zip,
          fileName: name,
          cut: app.drain.cut,
        });
        inFlight.add(job);
        void job.finally(() => inFlight.delete(job));
        return reply.code(202).send({ id, status: 'processing', totalEntries: zip ? zip.entries.length : 1 });
      } catch (error) {
        if (tempPath) await import('node:fs/promises').then((fs) => fs.rm(tempPath!, { force: true }));
        const code = error instanceof AppError ? error.code : 'INTERRUPTED';
        await uploads.update(id, { status: 'failed', errorCode: code });
        throw error;
      }
    },
  );

  r.get(
    '/api/uploads/:id',
    {
      preHandler: app.requireRole(...STOW_ROLES),
      schema: {
        tags: ['uploads'],
        params: uploadParams,
        querystring: uploadFilesQuery,
        response: { 200: uploadView },
      },
    },
    async (request) => {
      const upload = await uploads.get(request.params.id);
      // Someone else's upload is "not found", not "forbidden": ids are not to be probed.
      const mine =
        upload &&
        (upload.createdBy === request.principal!.sub || hasAnyRole(request.principal!, ['site-admin']));
      if (!upload || !mine) throw notFound('UPLOAD_NOT_FOUND', 'No upload with this id.');
      const files = await uploads.files(upload.id, request.query.offset, request.query.limit);
      return {
        id: upload.id,
        status: upload.status as 'receiving' | 'processing' | 'done' | 'failed',
        kind: upload.kind,
        errorCode: upload.errorCode,
        bytesReceived: Number(upload.bytesReceived),
        totalEntries: upload.totalEntries,
        processedEntries: upload.processedEntries,
        stored: upload.stored,
        duplicates: upload.duplicates,
        conflicts: upload.conflicts,
        failed: upload.failed,
        createdAt: upload.createdAt.toISOString(),
        finishedAt: upload.finishedAt?.toISOString() ?? null,
        files: files.map((f) => ({
          index: f.entryIndex,
          name: f.name,
          size: f.size === null ? null : Number(f.size),
          outcome: f.outcome,
          instanceId: f.instanceRef,
        })),
      };
    },
  );
}
