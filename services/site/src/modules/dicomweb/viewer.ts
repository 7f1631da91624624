import type { Principal } from '@annex/platform';
import type { AnnotatorView } from '../deid-views/annotator-view.ts';
import type { UidLevel } from '../deid-views/repository.ts';
import { notFoundResource } from './errors.ts';

/** Roles that may read DICOMweb at all. */
export const DICOMWEB_READ_ROLES = ['annotator', 'reviewer', 'phi-viewer', 'site-admin'] as const;

/**
 * Who sees what: `phi-viewer` gets the originals (and every read is audited); everyone else, a site admin
 * without phi-viewer included, gets the annotator view (PS3.15 annotator-view profile, de-identified UIDs).
 */
export type Viewer = { kind: 'phi' } | { kind: 'deid'; view: AnnotatorView };

export const viewerOf = (principal: Principal | undefined, view: AnnotatorView): Viewer =>
  principal?.roles.includes('phi-viewer') ? { kind: 'phi' } : { kind: 'deid', view };

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
