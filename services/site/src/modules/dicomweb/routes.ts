import { AppError } from '@annex/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { AnnotatorView } from '../deid-views/annotator-view.ts';
import { createDeidUidRepository } from '../deid-views/repository.ts';
import { acceptsDicomJson } from './accept.ts';
import { retrieveBulkData } from './bulkdata-service.ts';
import { notAcceptable } from './errors.ts';
import { IMMUTABLE, matchesIfNoneMatch, REVALIDATE, strongEtag } from './etag.ts';
import type { QidoLevel } from './qido-query.ts';
import { searchQido } from './qido-service.ts';
import { FrameReadAhead } from './read-ahead.ts';
import { ReadEpisodeAudit } from './read-episode-audit.ts';
import { renderInstance } from './rendered-service.ts';
import { createDicomwebRepository } from './repository.ts';
import { DICOMWEB_READ_ROLES, type UrlUids, type Viewer, viewerOf } from './viewer.ts';
import {
  rememberInstance,
  retrieveFrames,
  retrieveInstances,
  retrieveMetadata,
  type WadoResponse,
} from './wado-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The de-identified view annotators get (UID mapping included), for modules that take their UIDs back. */
    annotatorView: AnnotatorView;
  }
}

const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/)
  .max(64);
const studyUids = z.object({ study: uid });
const seriesUids = z.object({ study: uid, series: uid });
const instanceUids = z.object({ study: uid, series: uid, instance: uid });
const frameUids = instanceUids.extend({ frames: z.string().max(8000) });

// The project root: the same routes with the project's pseudonym scope, masking policy and read rule.
const PROJECT_ROOT = '/dicomweb/projects/:projectId';
const projectId = z.object({ projectId: z.uuid() });
const projectNotFound = () =>
  new AppError('PROJECT_NOT_FOUND', 404, 'No such project (or it is not visible to you).');

type Query = Record<string, string | string[] | undefined>;
const DICOM_JSON = 'application/dicom+json';

/**
 * DICOMweb read side (QIDO-RS, WADO-RS) under /dicomweb (the site scope) and under
 * /dicomweb/projects/{projectId} (a project's scope); STOW-RS lives with ingest.
 */
export const dicomwebRoutes = fp(
  async (app: FastifyInstance) => {
    const repository = createDicomwebRepository(app.prisma);
    const view = new AnnotatorView(app.config.SITE_SECRET, createDeidUidRepository(app.prisma));
    app.decorate('annotatorView', view);
    const siteBaseUrl = `${app.config.PUBLIC_URL.replace(/\/$/, '')}/dicomweb`;
    // Projects that exist (ids are never reused): a project root request costs no query after the first.
    const knownProjects = new Set<string>();
    const projectOf = (request: FastifyRequest) =>
      (request.params as { projectId?: string } | undefined)?.projectId;
    const auditFor =
      (request: FastifyRequest) => (resource: string, detail: Record<string, string | number | boolean>) =>
        app.audit.record(request, 'dicomweb.read', resource, detail);
    const pixelReads = new ReadEpisodeAudit();
    // Rows the read-ahead lists (a whole series) also teach the UID resolver their de-identified UIDs, so an
    // annotator's next frame requests of the series need no stored UID lookup (see DeidUidResolver.learn).
    const readAhead = new FrameReadAhead(repository, app.storage, (row) => {
      rememberInstance(row);
      view.uids.learn('instance', row.sopInstanceUid);
    });
    app.addHook('onClose', async () => pixelReads.flush());
    const depsFor = (request: FastifyRequest) => ({
      repository,
      storage: app.storage,
      baseUrl: projectOf(request) ? `${siteBaseUrl}/projects/${projectOf(request)}` : siteBaseUrl,
      audit: auditFor(request),
      readAhead,
      episodeAudit: (studyId: string, instanceId: string, what: string) =>
        pixelReads.record(
          `${request.principal?.sub ?? 'anonymous'}|${request.ip}`,
          studyId,
          instanceId,
          what,
          auditFor(request),
        ),
    });
    const viewer = (request: FastifyRequest): Viewer => viewerOf(request.principal, view, projectOf(request));
    const checkProject = async (request: FastifyRequest) => {
      const id = projectOf(request);
      if (!id || knownProjects.has(id)) return;
      if (!(await repository.projectExists(id))) throw projectNotFound();
      knownProjects.add(id);
    };
    const preHandler = [app.requireRole(...DICOMWEB_READ_ROLES), checkProject];
    const tags = ['dicomweb'];

    const sendJson = (
      request: FastifyRequest,
      reply: FastifyReply,
      body: string,
      etag = strongEtag('json', body),
    ) => {
      reply.header('ETag', etag).header('Cache-Control', REVALIDATE).header('Vary', 'Accept, Authorization');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type(DICOM_JSON).send(body);
    };

    const sendWado = async (request: FastifyRequest, reply: FastifyReply, response: WadoResponse) => {
      reply.header('Cache-Control', IMMUTABLE).header('Vary', 'Accept, Authorization');
      if (response.etag) {
        reply.header('ETag', response.etag);
        if (matchesIfNoneMatch(request.headers['if-none-match'], response.etag))
          return reply.code(304).send();
      }
      const body = await response.body();
      return reply.type(response.contentType).send(body);
    };

    const qido = (level: QidoLevel) => async (request: FastifyRequest, reply: FastifyReply) => {
      if (!acceptsDicomJson(request.headers.accept))
        throw notAcceptable('Search results are application/dicom+json.');
      const url = (request.params ?? {}) as UrlUids;
      const out = await searchQido(depsFor(request), viewer(request), level, request.query as Query, url);
      if (out.clamped) {
        reply.header(
          'Warning',
          '299 annex: "The number of results exceeded the maximum supported by the server. Additional results can be requested."',
        );
      }
      return sendJson(request, reply, JSON.stringify(out.results));
    };

    const metadata =
      (level: 'study' | 'series' | 'instance') => async (request: FastifyRequest, reply: FastifyReply) => {
        if (!acceptsDicomJson(request.headers.accept))
          throw notAcceptable('Metadata is application/dicom+json.');
        const p = request.params as { study: string; series?: string; instance?: string };
        const { body, etag } = await retrieveMetadata(
          depsFor(request),
          viewer(request),
          { study: p.study, series: p.series, instance: p.instance },
          level,
        );
        return sendJson(request, reply, body, etag);
      };
    const retrieve =
      (level: 'study' | 'series' | 'instance') => async (request: FastifyRequest, reply: FastifyReply) => {
        const p = request.params as { study: string; series?: string; instance?: string };
        const response = await retrieveInstances(
          depsFor(request),
          viewer(request),
          { study: p.study, series: p.series, instance: p.instance },
          level,
          request.headers.accept,
        );
        return sendWado(request, reply, response);
      };
    const frames = async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.params as z.infer<typeof frameUids>;
      const response = await retrieveFrames(
        depsFor(request),
        viewer(request),
        { study: p.study, series: p.series, instance: p.instance },
        p.frames,
        request.headers.accept,
      );
      return sendWado(request, reply, response);
    };
    const bulkData = async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.params as { study: string; series: string; instance: string; '*': string };
      const response = await retrieveBulkData(
        depsFor(request),
        viewer(request),
        { study: p.study, series: p.series, instance: p.instance },
        p['*'],
      );
      return sendWado(request, reply, response);
    };
    const rendered = async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.params as { study: string; series: string; instance: string; frames?: string };
      const response = await renderInstance(
        depsFor(request),
        viewer(request),
        { study: p.study, series: p.series, instance: p.instance },
        p.frames,
        request.query as Query,
        request.headers.accept,
      );
      return sendWado(request, reply, response);
    };

    // The same read routes under the site root and under every project root.
    for (const root of ['/dicomweb', PROJECT_ROOT]) {
      const params = <T extends z.ZodRawShape>(uids: z.ZodObject<T>) =>
        root === PROJECT_ROOT ? uids.extend(projectId.shape) : uids;
      const none = z.object({});
      app.get(
        `${root}/studies`,
        { preHandler, schema: { tags, params: params(none), summary: 'QIDO-RS: search studies' } },
        qido('study'),
      );
      app.get(
        `${root}/series`,
        { preHandler, schema: { tags, params: params(none), summary: 'QIDO-RS: search series' } },
        qido('series'),
      );
      app.get(
        `${root}/instances`,
        { preHandler, schema: { tags, params: params(none), summary: 'QIDO-RS: search instances' } },
        qido('instance'),
      );
      app.get(
        `${root}/studies/:study/series`,
        { preHandler, schema: { tags, params: params(studyUids), summary: "QIDO-RS: a study's series" } },
        qido('series'),
      );
      app.get(
        `${root}/studies/:study/instances`,
        { preHandler, schema: { tags, params: params(studyUids), summary: "QIDO-RS: a study's instances" } },
        qido('instance'),
      );
      app.get(
        `${root}/studies/:study/series/:series/instances`,
        { preHandler, schema: { tags, params: params(seriesUids), summary: "QIDO-RS: a series' instances" } },
        qido('instance'),
      );

      app.get(
        `${root}/studies/:study/metadata`,
        { preHandler, schema: { tags, params: params(studyUids), summary: 'WADO-RS: study metadata' } },
        metadata('study'),
      );
      app.get(
        `${root}/studies/:study/series/:series/metadata`,
        { preHandler, schema: { tags, params: params(seriesUids), summary: 'WADO-RS: series metadata' } },
        metadata('series'),
      );
      app.get(
        `${root}/studies/:study/series/:series/instances/:instance/metadata`,
        { preHandler, schema: { tags, params: params(instanceUids), summary: 'WADO-RS: instance metadata' } },
        metadata('instance'),
      );

      app.get(
        `${root}/studies/:study`,
        { preHandler, schema: { tags, params: params(studyUids), summary: 'WADO-RS: retrieve a study' } },
        retrieve('study'),
      );
      app.get(
        `${root}/studies/:study/series/:series`,
        { preHandler, schema: { tags, params: params(seriesUids), summary: 'WADO-RS: retrieve a series' } },
        retrieve('series'),
      );
      app.get(
        `${root}/studies/:study/series/:series/instances/:instance`,
        {
          preHandler,
          schema: { tags, params: params(instanceUids), summary: 'WADO-RS: retrieve an instance' },
        },
        retrieve('instance'),
      );

      app.get(
        `${root}/studies/:study/series/:series/instances/:instance/frames/:frames`,
        { preHandler, schema: { tags, params: params(frameUids), summary: 'WADO-RS: retrieve frames' } },
        frames,
      );

      app.get(
        `${root}/studies/:study/series/:series/instances/:instance/bulkdata/*`,
        {
          preHandler,
          schema: {
            tags,
            params: params(instanceUids).extend({ '*': z.string().max(400) }),
            summary: 'WADO-RS: bulk data',
          },
        },
        bulkData,
      );

      app.get(
        `${root}/studies/:study/series/:series/instances/:instance/rendered`,
        {
          preHandler,
          schema: { tags, params: params(instanceUids), summary: 'WADO-RS: rendered instance (first frame)' },
        },
        rendered,
      );
      app.get(
        `${root}/studies/:study/series/:series/instances/:instance/frames/:frames/rendered`,
        { preHandler, schema: { tags, params: params(frameUids), summary: 'WADO-RS: rendered frame' } },
        rendered,
      );
    }
  },
  { name: 'dicomweb', dependencies: ['prisma', 'storage', 'audit', 'annex-auth'] },
);
