import type { Db } from '../../db.ts';
import { type OrgScope, orgFilter } from '../tenancy/org-scope.ts';

// Prisma access for the site registry. Tenant reads take an OrgScope; the hub's own reads (which
// act for an authenticated site, not a person) are named `forHub…`.

export const listSites = (db: Db, scope: OrgScope) =>
  db.site.findMany({
    where: orgFilter(scope),
    include: { organization: { select: { slug: true, name: true } } },
    orderBy: { id: 'asc' },
  });

export const findSite = (db: Db, scope: OrgScope, siteId: string) =>
  db.site.findFirst({
    where: { id: siteId, ...orgFilter(scope) },
    include: { organization: { select: { slug: true, name: true } } },
  });

export const forHubKeysOf = (db: Db, siteId: string) => db.siteKey.findMany({ where: { siteId } });

export const forHubSite = (db: Db, siteId: string) => db.site.findUnique({ where: { id: siteId } });

export const listKeys = (db: Db, siteId: string) =>
  db.siteKey.findMany({ where: { siteId }, orderBy: { createdAt: 'asc' } });
