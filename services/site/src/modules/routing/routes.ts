import { AppError, conflict, notFound } from '@annex/platform';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Prisma } from '../../db.ts';
import { createAeRouteRepository } from './repository.ts';
import { aeRoute, aeRouteInput, aeRouteParams, aeRoutePatch } from './schemas.ts';

type Row = {
  id: string;
  calledAe: string;
  callingAe: string;
  projectId: string | null;
  createdAt: Date;
  updatedAt: Date;
};
const view = (r: Row) => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const isUniqueViolation = (e: unknown) =>
  e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';
const isMissing = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025';

const exists = () =>
  conflict('AE_ROUTE_EXISTS', 'A route for this called/calling AE title pair exists; edit it instead.');
const missing = () => notFound('AE_ROUTE_NOT_FOUND', 'No AE route with this id.');

/** CRUD for DIMSE AE title routes (called/calling AE title → project), site admins only. */
export async function aeRouteRoutes(app: FastifyInstance) {
  const repository = createAeRouteRepository(app.prisma);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const common = { preHandler: app.requireRole('site-admin') };
  const tags = ['dimse'];

  r.get(
    '/api/admin/ae-routes',
    { ...common, schema: { tags, response: { 200: z.object({ routes: z.array(aeRoute) }) } } },
    async () => ({
      routes: (await repository.list()).map(view),
    }),
  );

  r.post(
    '/api/admin/ae-routes',
    { ...common, schema: { tags, body: aeRouteInput, response: { 201: aeRoute } } },
    async (request, reply) => {
      try {
        const row = await repository.create(request.body);
        await app.audit.record(request, 'ae-route.create', `ae-route/${row.id}`);
        return reply.code(201).send(view(row));
      } catch (e) {
        if (isUniqueViolation(e)) throw exists();
        throw e;
      }
    },
  );

  r.get(
    '/api/admin/ae-routes/:id',
    { ...common, schema: { tags, params: aeRouteParams, response: { 200: aeRoute } } },
    async (request) => {
      const row = await repository.get(request.params.id);
      if (!row) throw missing();
      return view(row);
    },
  );

  r.patch(
    '/api/admin/ae-routes/:id',
    { ...common, schema: { tags, params: aeRouteParams, body: aeRoutePatch, response: { 200: aeRoute } } },
    async (request) => {
      if (Object.keys(request.body).length === 0)
        throw new AppError('EMPTY_PATCH', 400, 'Send at least one field to change.');
      try {
        const row = await repository.update(request.params.id, request.body);
        await app.audit.record(request, 'ae-route.update', `ae-route/${row.id}`);
        return view(row);
      } catch (e) {
        if (isUniqueViolation(e)) throw exists();
        if (isMissing(e)) throw missing();
        throw e;
      }
    },
  );

  r.delete(
    '/api/admin/ae-routes/:id',
    { ...common, schema: { tags, params: aeRouteParams } },
    async (request, reply) => {
      try {
        await repository.delete(request.params.id);
      } catch (e) {
        if (isMissing(e)) throw missing();
        throw e;
      }
      await app.audit.record(request, 'ae-route.delete', `ae-route/${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
