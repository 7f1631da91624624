import type { PrismaClient } from '../../db.ts';
import type { AeRouteInput, AeRoutePatch } from './schemas.ts';

export function createAeRouteRepository(prisma: PrismaClient) {
  return {
    list: () => prisma.aeRoute.findMany({ orderBy: [{ calledAe: 'asc' }, { callingAe: 'asc' }] }),
    get: (id: string) => prisma.aeRoute.findUnique({ where: { id } }),
    create: (input: AeRouteInput) => prisma.aeRoute.create({ data: input }),
    update: (id: string, patch: AeRoutePatch) => prisma.aeRoute.update({ where: { id }, data: patch }),
    delete: (id: string) => prisma.aeRoute.delete({ where: { id } }),
    /** Routes for a called AE title: the exact calling AE and the "*" wildcard. */
    candidates: (calledAe: string, callingAe: string) =>
      prisma.aeRoute.findMany({ where: { calledAe, callingAe: { in: [callingAe, '*'] } } }),
  };
}

export type AeRouteRepository = ReturnType<typeof createAeRouteRepository>;
