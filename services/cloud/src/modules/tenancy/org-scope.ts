import { AppError, type Principal } from '@annex/platform';

/**
 * Which organizations a caller may see. Every repository function that reads tenant data takes
 * one, so an unscoped query cannot be written by accident.
 */
export type OrgScope = { readonly all: true } | { readonly all: false; readonly orgSlugs: readonly string[] };

export const CLOUD_ROLES = { qcManager: 'qc-manager', admin: 'cloud-admin' } as const;

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * cloud-admin sees every organization. A qc-manager sees those granted by Keycloak groups
 * (`<prefix><slug>`, e.g. `/org/st-olav`) or client roles `org:<slug>`. Anyone else sees nothing.
 */
export function scopeOf(principal: Principal | undefined, groupPrefix = '/org/'): OrgScope {
  if (!principal) throw new AppError('TOKEN_MISSING', 401, 'Authentication required.');
  if (principal.roles.includes(CLOUD_ROLES.admin)) return { all: true };
  if (!principal.roles.includes(CLOUD_ROLES.qcManager)) return { all: false, orgSlugs: [] };
  const slugs = new Set<string>();
  for (const group of principal.groups) {
    if (!group.startsWith(groupPrefix)) continue;
    // Only the organization's own group counts, not sub-groups below it.
    const slug = group.slice(groupPrefix.length);
    if (SLUG.test(slug)) slugs.add(slug);
  }
  for (const role of principal.roles) {
    if (role.startsWith('org:') && SLUG.test(role.slice(4))) slugs.add(role.slice(4));
  }
  return { all: false, orgSlugs: [...slugs] };
}

/** A Prisma `where` fragment for a model with an `organization` relation (Site). */
export function orgFilter(scope: OrgScope) {
  return scope.all ? {} : { organization: { slug: { in: [...scope.orgSlugs] } } };
}

/** A Prisma `where` fragment for models keyed by siteId (studies, series, commands). */
export function siteFilter(scope: OrgScope) {
  return scope.all ? {} : { site: { organization: { slug: { in: [...scope.orgSlugs] } } } };
}
