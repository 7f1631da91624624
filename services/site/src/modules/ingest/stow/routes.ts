import type { Readable } from 'node:stream';
import { AppError } from '@annex/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ingestContextOf } from '../context.ts';
import { IngestError } from '../errors.ts';
import { type IngestOutcome, ingestInstance } from '../service.ts';
import { contentTypeParams, readMultipartRelated } from './multipart-related.ts';
import {
  FailureReason,
  failureReasonOf,
  type StowFailure,
  storeInstancesResponse,
} from './store-response.ts';

/** Who may store: site admins, and service accounts given the realm role `ingest` (e.g. a PACS gateway). */
export const STOW_ROLES = ['site-admin', 'ingest'] as const;

const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/)
  .max(64);
const query = z.object({ project: z.string().min(1).max(100).optional() });

/**
 * STOW-RS (PS3.18 10.5): POST /dicomweb/studies[/{study}] with multipart/related;
 * type="application/dicom". Parts are read and ingested one at a time from the request stream.
 */
export async function stowRoutes(app: FastifyInstance) {
  // Scoped to this plugin: the body stays a stream, and no other route sees this parser.
  app.addContentTypeParser('multipart/related', (_request, payload, done) => done(null, payload));
  const baseUrl = `${app.config.PUBLIC_URL.replace(/\/$/, '')}/dicomweb`;
  const instanceUrl = (o: IngestOutcome) =>
    `${baseUrl}/studies/${o.studyInstanceUid}/series/${o.seriesInstanceUid}/instances/${o.sopInstanceUid}`;

  async function store(
    request: FastifyRequest,
    expectedStudy: string | undefined,
    projectId: string | undefined,
  ) {
    const { type, params } = contentTypeParams(request.headers['content-type']);
    if (type !== 'multipart/related' || (params.type && params.type.toLowerCase() !== 'application/dicom')) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        415,
        'Send multipart/related; type="application/dicom" (DICOM JSON + bulk data STOW is not supported).',
      );
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > app.config.UPLOAD_MAX_BYTES) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        413,
        `A request may be at most ${app.config.UPLOAD_MAX_BYTES} bytes.`,
      );
    }
    const ctx = ingestContextOf(app);
    const stored: IngestOutcome[] = [];
    const failed: StowFailure[] = [];
    const parts = readMultipartRelated(request.body as Readable, params.boundary ?? '', {
      maxPartBytes: app.config.INSTANCE_MAX_BYTES,
      maxTotalBytes: app.config.UPLOAD_MAX_BYTES,
    });
    for await (const part of parts) {
      const partType = contentTypeParams(part.headers['content-type'] ?? 'application/dicom').type;
      if (partType !== 'application/dicom') {
        failed.push({ reason: FailureReason.CannotUnderstand });
        continue;
      }
      try {
        const outcome = await ingestInstance(ctx, part.body, {
          via: 'stow',
          ...(projectId ? { projectId } : {}),
          ...(expectedStudy ? { expectedStudyInstanceUid: expectedStudy } : {}),
        });
        if (outcome.status === 'conflict') {
          failed.push({ ...outcome, reason: FailureReason.DuplicateSopInstance });
        } else {
          stored.push(outcome);
        }
      } catch (error) {
        if (!(error instanceof IngestError)) throw error;
        failed.push({ ...error.sop, reason: failureReasonOf(error.code) });
      }
    }
    if (stored.length + failed.length === 0)
      throw new AppError('MULTIPART_EMPTY', 400, 'The request holds no parts.');
    // No audit row per request: the audit log is for reads of PHI, and a durable write per STOW
    // request would cost more than the instance itself. Ingest counters and logs record stores.
    const studies = new Set(stored.map((o) => o.studyInstanceUid));
    const studyUid = expectedStudy ?? (studies.size === 1 ? [...studies][0] : undefined);
    return storeInstancesResponse(
      studyUid ? `${baseUrl}/studies/${studyUid}` : undefined,
      stored,
      failed,
      instanceUrl,
    );
  }

  const r = app.withTypeProvider<ZodTypeProvider>();
  const schema = { tags: ['dicomweb'], querystring: query };
  r.post(
    '/dicomweb/studies',
    { preHandler: app.requireRole(...STOW_ROLES), schema },
    async (request, reply) => {
      const { status, body } = await store(request, undefined, request.query.project);
      return reply.code(status).type('application/dicom+json').send(body);
    },
  );
  r.post(
    '/dicomweb/studies/:study',
    { preHandler: app.requireRole(...STOW_ROLES), schema: { ...schema, params: z.object({ study: uid }) } },
    async (request, reply) => {
      const { status, body } = await store(request, request.params.study, request.query.project);
      return reply.code(status).type('application/dicom+json').send(body);
    },
  );
}
