import { AppError } from '@annex/platform';
import type { DicomJson } from './dicom-json.ts';
import { firstString } from './dicom-json.ts';
import { T, type TagHex } from './dictionary.ts';
import {
  limitWasClamped,
  parseQidoQuery,
  type QidoFilter,
  type QidoLevel,
  type QidoQuery,
} from './qido-query.ts';
import { csElement, isElement, qidoResult, uiElement, urElement } from './qido-response.ts';
import type { DicomwebRepository, Scope } from './repository.ts';
import { indexUids, shownUid, type UrlUids, type Viewer } from './viewer.ts';

/** Keys the de-identified view may match on: UIDs (mapped back) and technical attributes, never PHI. */
const DEID_MATCHABLE = new Set<TagHex>([
  T.StudyInstanceUID,
  T.SeriesInstanceUID,
  T.SOPInstanceUID,
  T.Modality,
  T.ModalitiesInStudy,
  T.SOPClassUID,
  T.SeriesNumber,
  T.InstanceNumber,
]);
const UID_LEVEL: Record<string, 'study' | 'series' | 'instance'> = {
  [T.StudyInstanceUID]: 'study',
  [T.SeriesInstanceUID]: 'series',
  [T.SOPInstanceUID]: 'instance',
};
// A UID no index row has: the match for a de-identified UID list that maps to nothing.
const NO_SUCH_UID = '0.0';

export interface QidoDeps {
  repository: DicomwebRepository;
  baseUrl: string;
  /** Records a PHI read (only called for the PHI view). */
  audit(resource: string, detail: Record<string, string | number | boolean>): Promise<void>;
}

export interface QidoOutcome {
  results: DicomJson[];
  /** The request asked for more than the server returns per page. */
  clamped: boolean;
}

async function viewerFilters(viewer: Viewer, filters: QidoFilter[]): Promise<QidoFilter[]> {
  if (viewer.kind === 'phi') return filters;
  const out: QidoFilter[] = [];
  for (const f of filters) {
    if (!DEID_MATCHABLE.has(f.tag)) {
      throw new AppError(
        'PHI_QUERY_FORBIDDEN',
        403,
        'Your role sees de-identified data and may not search on identifying attributes.',
      );
    }
    const level = UID_LEVEL[f.tag];
    if (level && f.matcher.kind === 'uids') {
      const originals = await viewer.view.uids.resolveKnown(level, f.matcher.values);
      out.push({ ...f, matcher: { kind: 'uids', values: originals.length ? originals : [NO_SUCH_UID] } });
    } else out.push(f);
  }
  return out;
}

const patientIdOf = (studyAttributes: DicomJson) => firstString(studyAttributes, T.PatientID) ?? '';

/** QIDO-RS search at any level and scope, answered in the viewer's view. */
export async function searchQido(
  deps: QidoDeps,
  viewer: Viewer,
  level: QidoLevel,
  params: Record<string, string | string[] | undefined>,
  url: UrlUids = {},
): Promise<QidoOutcome> {
  const parsed = parseQidoQuery(level, params);
  const query: QidoQuery = { ...parsed, filters: await viewerFilters(viewer, parsed.filters) };
  const index = await indexUids(viewer, url).catch((error) => {
    // An unknown scope is an empty result for a search, not an error.
    if (error instanceof AppError && error.statusCode === 404) return undefined;
    throw error;
  });
  if (!index) return { results: [], clamped: false };
  const scope: Scope = {
    ...(index.study ? { studyUid: index.study } : {}),
    ...(index.series ? { seriesUid: index.series } : {}),
    ...(viewer.access ? { access: viewer.access } : {}),
  };
  const show = (uid: string) => shownUid(viewer, uid);
  const view = (key: string, ds: DicomJson, patientId: string) =>
    viewer.kind === 'phi' ? ds : viewer.view.jsonOf(key, ds, patientId);
  const base = deps.baseUrl;
  const clamped = limitWasClamped(params);
  const studyIds = new Set<string>();
  let results: DicomJson[];

  if (level === 'study') {
    const rows = await deps.repository.searchStudies(query, scope);
    results = rows.map((r) => {
      studyIds.add(r.id);
      const uid = show(r.studyInstanceUid);
      return qidoResult(query, view(`study:${r.id}`, r.attributes, patientIdOf(r.attributes)), {
        [T.StudyInstanceUID]: uiElement(uid),
        [T.ModalitiesInStudy]: csElement(...r.modalities),
        [T.NumberOfStudyRelatedSeries]: isElement(r.seriesCount),
        [T.NumberOfStudyRelatedInstances]: isElement(r.instanceCount),
        [T.InstanceAvailability]: csElement('ONLINE'),
        [T.RetrieveURL]: urElement(`${base}/studies/${uid}`),
      });
    });
  } else if (level === 'series') {
    const rows = await deps.repository.searchSeries(query, scope);
    results = rows.map((r) => {
      studyIds.add(r.studyId);
      const pid = patientIdOf(r.studyAttributes);
      const [st, se] = [show(r.studyInstanceUid), show(r.seriesInstanceUid)];
      const merged = {
        ...view(`study:${r.studyId}`, r.studyAttributes, pid),
        ...view(`series:${r.id}`, r.attributes, pid),
      };
      return qidoResult(query, merged, {
        [T.StudyInstanceUID]: uiElement(st),
        [T.SeriesInstanceUID]: uiElement(se),
        [T.NumberOfSeriesRelatedInstances]: isElement(r.instanceCount),
        [T.RetrieveURL]: urElement(`${base}/studies/${st}/series/${se}`),
      });
    });
  } else {
    const rows = await deps.repository.searchInstances(query, scope);
    results = rows.map((r) => {
      studyIds.add(r.studyId);
      const pid = patientIdOf(r.studyAttributes);
      const [st, se, sop] = [show(r.studyInstanceUid), show(r.seriesInstanceUid), show(r.sopInstanceUid)];
      const merged = {
        ...view(`study:${r.studyId}`, r.studyAttributes, pid),
        ...view(`series:${r.seriesId}`, r.seriesAttributes, pid),
        ...view(`instance:${r.id}`, r.metadata, pid),
      };
      return qidoResult(query, merged, {
        [T.StudyInstanceUID]: uiElement(st),
        [T.SeriesInstanceUID]: uiElement(se),
        [T.SOPInstanceUID]: uiElement(sop),
        [T.InstanceAvailability]: csElement('ONLINE'),
        [T.RetrieveURL]: urElement(`${base}/studies/${st}/series/${se}/instances/${sop}`),
      });
    });
  }
  if (viewer.kind === 'phi' && results.length > 0) {
    await deps.audit(`qido:${level}`, {
      results: results.length,
      studies: [...studyIds].slice(0, 100).join(','),
    });
  }
  return { results, clamped };
}
