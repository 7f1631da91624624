import { notFound } from '@annex/platform';
import type { Db } from '../../db.ts';
import { findSite, listSites } from '../sites/repository.ts';
import type { OrgScope } from '../tenancy/org-scope.ts';

/**
 * The site ids a caller may read QC data of; `null` means every site (cloud-admin). QC rows are
 * keyed by siteId, so each QC query is limited by `siteId IN (…)` from here: a handful of sites
 * per organization, resolved once per request.
 */
export async function visibleSiteIds(db: Db, scope: OrgScope): Promise<string[] | null> {
  if (scope.all) return null;
  return (await listSites(db, scope)).map((s) => s.id);
}

/** Narrows to one requested site; an invisible site gives an empty list, never an error. */
export function narrowSites(visible: string[] | null, siteId: string | undefined): string[] | null {
  if (!siteId) return visible;
  return visible === null || visible.includes(siteId) ? [siteId] : [];
}

/** For routes addressed by site: another organization's site is 404, as everywhere in the cloud. */
export async function requireVisibleSite(db: Db, scope: OrgScope, siteId: string): Promise<void> {
  if (!(await findSite(db, scope, siteId)))
    throw notFound('SITE_NOT_FOUND', 'No such site in your organizations.');
}
