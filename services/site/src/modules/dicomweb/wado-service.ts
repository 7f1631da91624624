import type { Readable } from 'node:stream';
import { decodeFrame, getFrame, type ParsedInstance } from '@annex/dicom';
import { AppError } from '@annex/platform';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { ScopedAnnotatorView } from '../deid-views/annotator-view.ts';
import { LruCache } from '../deid-views/lru-cache.ts';
import { chooseFrameRepresentation, chooseInstanceRepresentation, EXPLICIT_VR_LE } from './accept.ts';
import { type DicomJson, firstNumber, firstString } from './dicom-json.ts';
import { T } from './dictionary.ts';
import { notAcceptable, notFoundResource } from './errors.ts';
import { strongEtag } from './etag.ts';
import { canDecode, decodeToNative, readStoredFrame } from './frames.ts';
import {
  boundaryOf,
  multipartBuffer,
  multipartContentType,
  multipartStream,
  type Part,
} from './multipart.ts';
import type { FrameReadAhead } from './read-ahead.ts';
import type { DicomwebRepository, StoredInstance } from './repository.ts';
import { indexUids, type ReadAccess, shownUid, type UrlUids, type Viewer } from './viewer.ts';

export interface WadoDeps {
  repository: DicomwebRepository;
  /** Absolute base of the DICOMweb routes (…/dicomweb), for BulkDataURIs. */
  baseUrl: string;
  storage: ObjectStore;
  /** Records a PHI read (only called for the PHI view); resource is a database id, never a UID. */
  audit(resource: string, detail: Record<string, string | number | boolean>): Promise<void>;
  /** Records a read of one study's PHI per viewing episode (see read-episode-audit.ts). */
  episodeAudit(studyId: string, instanceId: string, what: string): Promise<void>;
  /** Fetches the frames a viewer will ask for next (optional). */
  readAhead?: FrameReadAhead;
}

/** A response the route sends as is; `body` is made only when the client's cached copy is stale. */
export interface WadoResponse {
  contentType: string;
  etag?: string;
  body: () => Promise<string | Buffer | Readable>;
}

const patientKeyOf = (attributes: DicomJson) => firstString(attributes, T.PatientID) ?? '';

/**
 * Whether the de-identified view serves an instance's pixels, and from where: `stored` (no burned-in risk, or
 * the PHI view), `masked` (a risk that the view's mask template covers: pixels come from the engine's masked
 * copy), or a 403 BURNED_IN_RISK (PS3.15 E.3.1; issue: default deny).
 */
export function pixelSource(viewer: Viewer, instance: StoredInstance): 'stored' | 'masked' {
  if (viewer.kind === 'phi' || viewer.view.burnedInReasons(instance.attributes).length === 0) return 'stored';
  throwBurnedInRisk(viewer.view.instanceRefusal(instance.attributes, instance.transferSyntaxUid));
  return 'masked';
}

function throwBurnedInRisk(reasons: string[]) {
  if (reasons.length) {
    throw new AppError(
      'BURNED_IN_RISK',
      403,
      'This image may carry burned-in identifying text and is not shown in the de-identified view.',
      {
        reasons,
      },
    );
  }
}

// One instance's stored row, by its index UIDs: frame requests come in hundreds per series, and a stored
// instance never changes (a different object under the same UID is recorded as a conflict, not swapped in).
const instanceRows = new LruCache<StoredInstance>(50_000);
const rowKey = (study: string, series: string, sop: string) => `${study}|${series}|${sop}`;

/** Remembers rows read for other reasons (a series listing for read-ahead), so their frames skip the query. */
export const rememberInstance = (row: StoredInstance) =>
  instanceRows.set(rowKey(row.studyInstanceUid, row.seriesInstanceUid, row.sopInstanceUid), row, 1);

// Positive read decisions per rule and series, briefly: frames come in hundreds per series. A refusal is never
// remembered (a new assignment reads at once); a released one stops reading within this time.
const READ_DECISION_MS = 10_000;
const readDecisions = new LruCache<number>(100_000);

/** The instances the request's read rule lets it see (all of them when it has none). */
async function readable(deps: WadoDeps, access: ReadAccess | undefined, rows: StoredInstance[]) {
  if (!access) return rows;
  const decided = new Map<string, boolean>();
  const out: StoredInstance[] = [];
  for (const row of rows) {
    let ok = decided.get(row.seriesId);
    if (ok === undefined) {
      const key = `${access.key}|${row.seriesId}`;
      const at = readDecisions.get(key);
      ok = at !== undefined && Date.now() - at < READ_DECISION_MS;
      if (!ok) {
        ok = await deps.repository.canRead(access, row.seriesId);
        if (ok) readDecisions.set(key, Date.now(), 1);
      }
      decided.set(row.seriesId, ok);
    }
    if (ok) out.push(row);
  }
  return out;
}

export async function storedOrThrow(
  deps: WadoDeps,
  viewer: Viewer,
  url: UrlUids,
  level: 'study' | 'series' | 'instance',
): Promise<StoredInstance[]> {
  const index = await indexUids(viewer, url);
  const key = level === 'instance' ? rowKey(index.study!, index.series!, index.instance!) : undefined;
  const cached = key ? instanceRows.get(key) : undefined;
  let instances = cached
    ? [cached]
    : await deps.repository.storedInstances({
        ...(index.study ? { studyUid: index.study } : {}),
        ...(index.series ? { seriesUid: index.series } : {}),
        ...(index.instance ? { sopUid: index.instance } : {}),
      });
  if (key && !cached && instances[0]) rememberInstance(instances[0]);
  // Not visible is not found: a study outside the rule is indistinguishable from one that does not exist.
  instances = await readable(deps, viewer.access, instances);
  if (instances.length === 0) throw notFoundResource(level);
  return instances;
}

export async function auditRead(deps: WadoDeps, viewer: Viewer, what: string, instances: StoredInstance[]) {
  if (viewer.kind !== 'phi') return;
  const firstOfStudy = new Map<string, string>();
  for (const i of instances) if (!firstOfStudy.has(i.studyId)) firstOfStudy.set(i.studyId, i.id);
  for (const [studyId, instanceId] of firstOfStudy) await deps.episodeAudit(studyId, instanceId, what);
}

/** The index writes BulkDataURIs relative to the instance; a series or study response needs them absolute. */
function absoluteBulkData(ds: DicomJson, prefix: string): DicomJson {
  let out: DicomJson | undefined;
  for (const [tag, e] of Object.entries(ds)) {
    let next = e;
    if (e.BulkDataURI?.startsWith('bulkdata/')) next = { ...e, BulkDataURI: prefix + e.BulkDataURI };
    else if (e.vr === 'SQ' && e.Value) {
      const items = e.Value.map((item) => absoluteBulkData(item as DicomJson, prefix));
      if (items.some((item, i) => item !== e.Value![i])) next = { ...e, Value: items };
    }
    if (next !== e) {
      out ??= { ...ds };
      out[tag] = next;
    }
  }
  return out ?? ds;
}

// Series metadata is large (8 KB per instance) and read far more often than it changes: keep built bodies,
// validated per request by a one-row query, so a repeat costs a query and a send.
const metadataCache = new LruCache<{ version: string; body: string; studyId: string }>(64 * 1024 * 1024);

/** WADO-RS /metadata at study, series or instance level, from the index (no object is read). */
export async function retrieveMetadata(
  deps: WadoDeps,
  viewer: Viewer,
  url: UrlUids,
  level: 'study' | 'series' | 'instance',
): Promise<{ body: string; etag: string }> {
  const index = await indexUids(viewer, url);
  const scope = {
    ...(index.study ? { studyUid: index.study } : {}),
    ...(index.series ? { seriesUid: index.series } : {}),
    ...(index.instance ? { sopUid: index.instance } : {}),
    ...(viewer.access ? { access: viewer.access } : {}),
  };
  const version = await deps.repository.scopeVersion(scope);
  if (!version) throw notFoundResource(level);
  const viewKey = viewer.kind === 'phi' ? 'original' : viewer.view.fingerprint;
  // The read rule decides which series a body holds, so bodies are kept per rule.
  const cacheKey = `${viewKey}|${viewer.access?.key ?? ''}|${deps.baseUrl}|${scope.studyUid}|${scope.seriesUid ?? ''}|${scope.sopUid ?? ''}`;
  const cached = metadataCache.get(cacheKey);
  let entry = cached?.version === version ? cached : undefined;
  if (!entry && viewer.kind === 'phi') {
    const found = await deps.repository.metadataText(scope, deps.baseUrl);
    if (!found) throw notFoundResource(level);
    entry = { version, body: found.body, studyId: found.studyId };
  } else if (!entry && viewer.kind === 'deid') {
    const rows = await deps.repository.metadataRows(scope);
    if (rows.length === 0) throw notFoundResource(level);
    const body = JSON.stringify(
      rows.map((r) => {
        // The viewer asks for these instances next (frames): their way back is known without a stored lookup.
        viewer.view.uids.learn('instance', r.sopUid);
        const ds = viewer.view.jsonOf(`instance:${r.id}`, r.metadata, patientKeyOf(r.metadata));
        const prefix = `${deps.baseUrl}/studies/${shownUid(viewer, r.studyUid)}/series/${shownUid(viewer, r.seriesUid)}/instances/${shownUid(viewer, r.sopUid)}/`;
        return absoluteBulkData(ds, prefix);
      }),
    );
    entry = { version, body, studyId: rows[0]!.studyId };
  }
  if (!entry) throw notFoundResource(level);
  if (entry !== cached) metadataCache.set(cacheKey, entry, entry.body.length);
  if (viewer.kind === 'phi') await deps.episodeAudit(entry.studyId, '', `metadata:${level}`);
  const body = entry.body;
  return { body, etag: strongEtag('metadata', cacheKey, version) };
}

/** WADO-RS instance retrieve (study, series or one instance) as application/dicom, as stored. */
export async function retrieveInstances(
  deps: WadoDeps,
  viewer: Viewer,
  url: UrlUids,
  level: 'study' | 'series' | 'instance',
  accept: string | undefined,
): Promise<WadoResponse> {
  let instances = await storedOrThrow(deps, viewer, url, level);
  if (viewer.kind === 'deid') {
    // Whole instances go through the engine, which can mask burned-in text when a template fits (frames and
    // rendered images are read as stored, so they keep refusing).
    const refusal = (i: StoredInstance) => viewer.view.instanceRefusal(i.attributes, i.transferSyntaxUid);
    if (level === 'instance') throwBurnedInRisk(refusal(instances[0]!));
    // In a study or series, images with a burned-in risk are left out rather than failing the whole retrieve.
    instances = instances.filter((i) => refusal(i).length === 0);
    if (instances.length === 0)
      throw new AppError('BURNED_IN_RISK', 403, 'Every image here may carry burned-in identifying text.');
  }
  const choice = chooseInstanceRepresentation(
    accept,
    instances.map((i) => i.transferSyntaxUid),
    level === 'instance',
  );
  if (!choice) {
    throw notAcceptable(
      'Instances are served as multipart/related; type="application/dicom" in their stored transfer syntax (transfer-syntax=*).',
    );
  }
  const viewTag = viewer.kind === 'phi' ? 'original' : viewer.view.fingerprint;
  const etag = strongEtag(
    'instances',
    viewTag,
    choice.multipart ? 'multipart' : 'single',
    ...instances.map((i) => i.sha256),
  );
  const open = async (i: StoredInstance): Promise<Readable | Uint8Array[]> => {
    if (viewer.kind === 'phi') return deps.storage.get(i.objectKey);
    const bytes = await deps.storage.getBuffer(i.objectKey);
    return viewer.view.instanceOf(i.id, bytes, patientKeyOf(i.attributes)).chunks;
  };
  if (!choice.multipart) {
    const only = instances[0]!;
    return {
      contentType: 'application/dicom',
      etag,
      body: async () => {
        await auditRead(deps, viewer, 'instance', instances);
        const body = await open(only);
        return Array.isArray(body) ? Buffer.concat(body) : body;
      },
    };
  }
  const boundary = boundaryOf(etag);
  return {
    contentType: multipartContentType('application/dicom', boundary),
    etag,
    body: async () => {
      await auditRead(deps, viewer, `instances:${level}`, instances);
      const parts: Part[] = instances.map((i) => ({
        contentType: `application/dicom; transfer-syntax=${i.transferSyntaxUid}`,
        body: () => open(i),
      }));
      return multipartStream(parts, boundary);
    },
  };
}

const FRAME_LIST = /^[1-9]\d{0,6}(,[1-9]\d{0,6}){0,999}$/;

/** WADO-RS /frames/{list}: ranged reads of the stored frames, as stored or as native octet-stream. */
export async function retrieveFrames(
  deps: WadoDeps,
  viewer: Viewer,
  url: UrlUids,
  frameList: string,
  accept: string | undefined,
): Promise<WadoResponse> {
  if (!FRAME_LIST.test(frameList)) {
    throw new AppError(
      'BAD_FRAME_LIST',
      400,
      'Frames are a comma-separated list of frame numbers starting at 1.',
    );
  }
  const frames = frameList.split(',').map(Number);
  const [instance] = await storedOrThrow(deps, viewer, url, 'instance');
  const inst = instance!;
  // A burned-in-risk image that a mask template covers is served from the masked object, never the stored one.
  const maskedBy = pixelSource(viewer, inst) === 'masked' && viewer.kind === 'deid' ? viewer.view : undefined;
  if (frames.some((n) => n > inst.numberOfFrames)) throw notFoundResource('frame');
  const ts = inst.transferSyntaxUid;
  const choice = chooseFrameRepresentation(accept, ts, canDecode(ts));
  if (!choice || (!choice.multipart && frames.length > 1)) {
    throw notAcceptable(
      `Frames of this instance are available as multipart/related with type="application/octet-stream"${canDecode(ts) ? '' : ' and transfer-syntax=*'}, or in their stored media type.`,
    );
  }
  const etag = strongEtag(
    'frames',
    maskedBy ? `${inst.sha256}:${maskedBy.fingerprint}` : inst.sha256,
    frameList,
    choice.transferSyntax,
    choice.mediaType,
    choice.multipart ? 'm' : 's',
  );
  const partType = `${choice.mediaType}; transfer-syntax=${choice.transferSyntax}`;
  const pixel = {
    rows: inst.rows ?? firstNumber(inst.attributes, T.Rows) ?? 0,
    columns: inst.columns ?? firstNumber(inst.attributes, T.Columns) ?? 0,
    bitsAllocated: firstNumber(inst.attributes, T.BitsAllocated) ?? 16,
    samplesPerPixel: firstNumber(inst.attributes, '00280002') ?? 1,
  };
  let fromMasked: Promise<ParsedInstance> | undefined;
  const read = async (n: number) => {
    if (maskedBy) {
      fromMasked ??= maskedInstance(deps, maskedBy, inst);
      const parsed = await fromMasked;
      if (!choice.decode) return [getFrame(parsed, n - 1)];
      const p = (await decodeFrame(parsed, n - 1)).pixels;
      return [new Uint8Array(p.buffer, p.byteOffset, p.byteLength)];
    }
    const stored = await readStoredFrame(deps.storage, inst, n);
    deps.readAhead?.after(inst, n);
    return choice.decode ? decodeToNative(deps.storage, inst, n, stored, pixel) : stored;
  };
  if (!choice.multipart) {
    return {
      contentType: partType,
      etag,
      body: async () => {
        await auditRead(deps, viewer, 'frames', [inst]);
        return Buffer.concat(await read(frames[0]!));
      },
    };
  }
  const boundary = boundaryOf(etag);
  return {
    contentType: multipartContentType(
      choice.mediaType,
      boundary,
      choice.transferSyntax === EXPLICIT_VR_LE ? undefined : choice.transferSyntax,
    ),
    etag,
    body: async () => {
      const [, bodies] = await Promise.all([
        auditRead(deps, viewer, 'frames', [inst]),
        Promise.all(frames.map(read)),
      ]);
      return multipartBuffer(
        bodies.map((body) => ({ contentType: partType, body })),
        boundary,
      );
    },
  };
}

/** The annotator view's masked copy of an instance, parsed (the engine's output, cached by the view). */
export async function maskedInstance(
  deps: WadoDeps,
  view: ScopedAnnotatorView,
  inst: StoredInstance,
): Promise<ParsedInstance> {
  const bytes = await deps.storage.getBuffer(inst.objectKey);
  return view.maskedInstance(inst.id, bytes, patientKeyOf(inst.attributes));
}
