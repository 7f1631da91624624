import type { Principal } from '@annex/platform';
import type { AnnotatorView, ScopedAnnotatorView } from '../deid-views/annotator-view.ts';
import type { UidLevel } from '../deid-views/repository.ts';
import { notFoundResource } from './errors.ts';

/** Roles that may read DICOMweb at all. */
export const DICOMWEB_READ_ROLES = ['annotator', 'reviewer', 'phi-viewer', 'site-admin'] as const;
/** Roles that may read every task's study of a project (not only their own assignments). */
const PROJECT_WIDE_ROLES = ['reviewer', 'phi-viewer', 'site-admin'];

/**
 * Which studies a request may read: those of (non-cancelled) tasks, of one project when `projectId` is set,
 * and only tasks assigned to `assignee` (not released) when that is set. `key` names the rule for caches.
 * No ReadAccess at all means the whole index (PHI viewers, reviewers and admins on the unscoped root).
 */
export interface ReadAccess {
  projectId?: string;
  assignee?: string;
  key: string;
}

/**
 * Who sees what: `phi-viewer` gets the originals (and every read is audited); everyone else, a site admin
 * without phi-viewer included, gets the annotator view (PS3.15 annotator-view profile, de-identified UIDs) in
 * the pseudonym scope of the root they came in by (a project, or the site). `access` limits the studies.
 */
export type Viewer = ({ kind: 'phi' } | { kind: 'deid'; view: ScopedAnnotatorView }) & {
  access?: ReadAccess;
};

/**
 * The read rule of a request. Under a project root: reviewers, PHI viewers and admins read every task of the
 * project, annotators only the tasks assigned to them. On the unscoped root an annotator (with no wider role)
 * reads the studies of tasks assigned to them in any project; everyone else reads the index as before.
 */
export function readAccessOf(principal: Principal | undefined, projectId?: string): ReadAccess | undefined {
  const wide = principal?.roles.some((r) => PROJECT_WIDE_ROLES.includes(r)) ?? false;
  if (wide && !projectId) return undefined;
  const assignee = wide ? undefined : (principal?.sub ?? '');
  return {
    ...(projectId ? { projectId } : {}),
    ...(assignee !== undefined ? { assignee } : {}),
    key: `${projectId ?? '*'}|${assignee ?? '*'}`,
  };
}

export function viewerOf(principal: Principal | undefined, view: AnnotatorView, projectId?: string): Viewer {
  const access = readAccessOf(principal, projectId);
  const base: Viewer = principal?.roles.includes('phi-viewer')
    ? { kind: 'phi' }
    : { kind: 'deid', view: projectId ? view.forProject(projectId) : view.siteView };
  return access ? { ...base, access } : base;
}

/** UIDs as the viewer knows them, in the URL. */
export interface UrlUids {
  study?: string;
  series?: string;
  instance?: string;
}

/** The index's UIDs for the URL's UIDs: identity for PHI viewers, the stored mapping for the de-identified view. */
export async function indexUids(viewer: Viewer, url: UrlUids): Promise<UrlUids> {
  if (viewer.kind === 'phi') return url;
  const wanted: Array<{ level: UidLevel; uid: string; key: keyof UrlUids }> = [];
  if (url.study) wanted.push({ level: 'study', uid: url.study, key: 'study' });
  if (url.series) wanted.push({ level: 'series', uid: url.series, key: 'series' });
  if (url.instance) wanted.push({ level: 'instance', uid: url.instance, key: 'instance' });
  if (wanted.length === 0) return {};
  const resolved = await viewer.view.uids.resolve(wanted);
  if (!resolved) throw notFoundResource(url.instance ? 'instance' : url.series ? 'series' : 'study');
  const out: UrlUids = {};
  wanted.forEach((w, i) => {
    out[w.key] = resolved[i]!;
  });
  return out;
}

/** A UID as this viewer is shown it. */
export const shownUid = (viewer: Viewer, uid: string) =>
  viewer.kind === 'phi' ? uid : viewer.view.uids.deid(uid);
