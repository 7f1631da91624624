import type { Db } from '../../db.ts';
import { type OrgScope, siteFilter } from '../tenancy/org-scope.ts';

export const listStudies = (
  db: Db,
  scope: OrgScope,
  filter: { siteId?: string; take: number; skip: number },
) =>
  db.cloudStudy.findMany({
    where: { ...(filter.siteId ? { siteId: filter.siteId } : {}), ...siteFilter(scope) },
    include: { series: { orderBy: { seriesId: 'asc' } } },
    orderBy: [{ updatedAt: 'desc' }, { studyId: 'asc' }],
    take: filter.take,
    skip: filter.skip,
  });

export const findStudy = (db: Db, scope: OrgScope, siteId: string, studyId: string) =>
  db.cloudStudy.findFirst({
    where: { siteId, studyId, ...siteFilter(scope) },
    include: { series: { orderBy: { seriesId: 'asc' } } },
  });
