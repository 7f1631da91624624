import { AppError } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { MaskTemplateRepository } from './mask-template-repository.ts';
import type { Reidentifier } from './reidentifier.ts';
import {
  maskingBody,
  maskTemplateBody,
  projectMaskingBody,
  projectParams,
  reidentifyBody,
  templateParams,
} from './schemas.ts';

const noTemplate = () => new AppError('MASK_TEMPLATE_NOT_FOUND', 404, 'No such mask template.');
const noProject = () => new AppError('PROJECT_NOT_FOUND', 404, 'No such project.');

/** Site-admin only: re-identification (audited, answers never logged) and the pixel masking policy. */
export function reidentifyRoutes(
  app: FastifyInstance,
  reidentifier: Reidentifier,
  templates: MaskTemplateRepository,
  reloadMasking: () => Promise<void>,
) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = app.requireRole('site-admin');
  const tags = ['reidentify'];

  r.post(
    '/api/admin/reidentify',
    { preHandler: admin, schema: { tags, body: reidentifyBody } },
    async (request) => {
      const { ids } = request.body;
      // Written before answering, so a call that fails half-way is still on record; the ids asked are
      // pseudonyms or de-identified UIDs (not PHI), never the answers.
      await app.audit.record(request, 'reidentify', 'pseudonyms', { ids: ids.join(','), count: ids.length });
      // Per item: 200 with what it names, or 404 (unknown, foreign or not ours) without failing the batch.
      const results = await reidentifier.reidentify(ids);
      return { results: results.map((r) => ({ status: r.found ? 200 : 404, ...r })) };
    },
  );

  const changed = async (request: Parameters<typeof app.audit.record>[0], what: string, resource: string) => {
    await app.audit.record(request, `pixel-masking.${what}`, resource);
    await reloadMasking();
  };

  r.get('/api/admin/mask-templates', { preHandler: admin, schema: { tags } }, async () => ({
    items: await templates.list(),
  }));
  r.post(
    '/api/admin/mask-templates',
    { preHandler: admin, schema: { tags, body: maskTemplateBody } },
    async (request, reply) => {
      const created = await templates.create(request.body).catch((e: { code?: string }) => {
        if (e.code === 'P2002')
          throw new AppError('MASK_TEMPLATE_EXISTS', 409, 'A template with this name exists.');
        throw e;
      });
      await changed(request, 'template-created', created.id);
      reply.code(201);
      return created;
    },
  );
  r.put(
    '/api/admin/mask-templates/:id',
    { preHandler: admin, schema: { tags, params: templateParams, body: maskTemplateBody } },
    async (request) => {
      const updated = await templates.update(request.params.id, request.body);
      if (!updated) throw noTemplate();
      await changed(request, 'template-updated', updated.id);
      return updated;
    },
  );
  r.delete(
    '/api/admin/mask-templates/:id',
    { preHandler: admin, schema: { tags, params: templateParams } },
    async (request, reply) => {
      if (!(await templates.remove(request.params.id))) throw noTemplate();
      await changed(request, 'template-deleted', request.params.id);
      reply.code(204);
    },
  );
  r.get('/api/admin/pixel-masking', { preHandler: admin, schema: { tags } }, async () => ({
    enabled: await templates.enabled(),
  }));
  r.put(
    '/api/admin/pixel-masking',
    { preHandler: admin, schema: { tags, body: maskingBody } },
    async (request) => {
      await templates.setEnabled(request.body.enabled, request.principal!.sub);
      await changed(request, request.body.enabled ? 'enabled' : 'disabled', 'site');
      return { enabled: request.body.enabled };
    },
  );

  // Per project: a project's own selection overrides the site's policy in that project's DICOMweb root.
  r.get(
    '/api/admin/projects/:projectId/pixel-masking',
    { preHandler: admin, schema: { tags, params: projectParams } },
    async (request) => {
      const { projectId } = request.params;
      if (!(await templates.projectExists(projectId))) throw noProject();
      const own = await templates.projectSetting(projectId);
      if (own) return { projectId, inherited: false, ...own };
      const [enabled, all] = await Promise.all([templates.enabled(), templates.list()]);
      return { projectId, inherited: true, enabled, templateIds: all.map((t) => t.id).sort() };
    },
  );
  r.put(
    '/api/admin/projects/:projectId/pixel-masking',
    { preHandler: admin, schema: { tags, params: projectParams, body: projectMaskingBody } },
    async (request) => {
      const { projectId } = request.params;
      if (!(await templates.projectExists(projectId))) throw noProject();
      const templateIds = [...new Set(request.body.templateIds)].sort();
      const known = await templates.existingIds(templateIds);
      const unknown = templateIds.filter((id) => !known.has(id));
      if (unknown.length) {
        throw new AppError('MASK_TEMPLATE_UNKNOWN', 400, 'Some of these mask templates do not exist.', {
          templateIds: unknown,
        });
      }
      await templates.setProjectSetting(
        projectId,
        { enabled: request.body.enabled, templateIds },
        request.principal!.sub,
      );
      await changed(request, 'project-set', `project:${projectId}`);
      return { projectId, inherited: false, enabled: request.body.enabled, templateIds };
    },
  );
  r.delete(
    '/api/admin/projects/:projectId/pixel-masking',
    { preHandler: admin, schema: { tags, params: projectParams } },
    async (request, reply) => {
      const { projectId } = request.params;
      if (!(await templates.projectExists(projectId))) throw noProject();
      // Idempotent: a project without its own policy already follows the site's.
      if (await templates.clearProjectSetting(projectId))
        await changed(request, 'project-cleared', `project:${projectId}`);
      reply.code(204);
    },
  );
}
