import { createHash } from 'node:crypto';
import {
  burnedInRisk,
  DeidError,
  type DeidJsonDataset,
  deidentify,
  deidentifyJson,
  findMaskTemplate,
  type MaskTemplate,
  type ParsedInstance,
  PROFILES,
  parseInstance,
  TABLE_E1_1_REVISION,
} from '@annex/dicom';
import { losslessCodecFor } from '@annex/dicom/deid/pixel-codecs.ts';
import { type DicomJson, firstString } from '../dicomweb/dicom-json.ts';
import { LruCache } from './lru-cache.ts';
import type { DeidUidRepository } from './repository.ts';
import { DeidUidResolver } from './uid-resolver.ts';

export const ANNOTATOR_PROFILE = 'annotator-view';
/** The profile of de-identified datasets that leave the project (exports): the view's, plus cleaned SR content. */
export const EXPORT_PROFILE = 'research-export';
type DeidProfileId = typeof ANNOTATOR_PROFILE | typeof EXPORT_PROFILE;

/** The pseudonym scope of the unscoped DICOMweb root: the site itself (no project). */
export const SITE_SCOPE = '';

/**
 * Everything one scoped view depends on: a change to the profile, the standard's table, the key, the pseudonym
 * scope or the masking policy gives a new fingerprint, and cached results under the old one are never served.
 */
function fingerprintOf(keyId: string, project: string, masking: PixelMasking): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        profile: PROFILES[ANNOTATOR_PROFILE],
        table: TABLE_E1_1_REVISION,
        keyId,
        project,
        masking,
      }),
    )
    .digest('hex')
    .slice(0, 16);
}

/** Whether burned-in-risk images are served masked, and with which templates. */
export interface PixelMasking {
  enabled: boolean;
  templates: MaskTemplate[];
}

const MASKING_OFF: PixelMasking = { enabled: false, templates: [] };

// Syntaxes the engine masks without a codec: native pixel data and RLE.
const NATIVE_OR_RLE = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.5',
]);

export interface DeidInstance {
  chunks: Uint8Array[];
  length: number;
}

interface Caches {
  json: LruCache<DicomJson>;
  instances: LruCache<DeidInstance>;
  parsed: LruCache<ParsedInstance>;
}

/**
 * The annotator view in one pseudonym scope: the site (`''`, the unscoped `/dicomweb` root) or one project
 * (`/dicomweb/projects/{id}`). The scope keys the patient pseudonym and the date shift, so the same patient
 * is consistent within a project and unlinkable by those values across projects; UIDs are the site's (one
 * mapping, shared with the tasks API). Immutable: a policy change makes new scoped views.
 */
export class ScopedAnnotatorView {
  readonly fingerprint: string;

  constructor(
    private readonly secret: string,
    readonly uids: DeidUidResolver,
    readonly project: string,
    readonly masking: PixelMasking,
    private readonly caches: Caches,
  ) {
    this.fingerprint = fingerprintOf(uids.keyId, project, masking);
  }

  /**
   * De-identified JSON of one stored dataset (study attributes, series attributes or instance metadata) through
   * the PS3.15 engine. `patientKey` is the original Patient ID from the index: study, series and instance rows
   * (series rows carry no Patient ID) and instance bytes all get the same pseudonym and date shift.
   * `cacheKey` names the row (level + db id); rows never change once written.
   */
  jsonOf(cacheKey: string, ds: DicomJson, patientKey: string): DicomJson {
    const key = `${this.fingerprint}:${cacheKey}`;
    const cached = this.caches.json.get(key);
    if (cached) return cached;
    const out = this.deidentifyJson(ds, patientKey);
    this.caches.json.set(key, out, 1);
    return out;
  }

  /**
   * jsonOf without the cache, for one-pass readers (exports) that would only evict what viewers use. Same
   * pseudonyms, date shift and UIDs as the view; `profile` lets a dataset leaving the project clean more.
   */
  deidentifyJson(ds: DicomJson, patientKey: string, profile: DeidProfileId = ANNOTATOR_PROFILE): DicomJson {
    return deidentifyJson(ds as DeidJsonDataset, {
      profile,
      secret: this.secret,
      project: this.project,
      patientKey,
      reportDetail: 'changes',
    }).dataset as DicomJson;
  }

  /** The instance bytes through the PS3.15 engine (annotator-view profile), cached per instance and view. */
  instanceOf(instanceId: string, bytes: Uint8Array, patientKey: string): DeidInstance {
    const key = `${this.fingerprint}:${instanceId}`;
    const cached = this.caches.instances.get(key);
    if (cached) return cached;
    const out = this.deidentifyInstance(bytes, patientKey);
    this.caches.instances.set(key, out, out.length);
    return out;
  }

  /** instanceOf without the cache (exports read every instance once; caching them would only grow memory). */
  deidentifyInstance(
    bytes: Uint8Array,
    patientKey: string,
    profile: DeidProfileId = ANNOTATOR_PROFILE,
  ): DeidInstance {
    const result = deidentify(bytes, {
      profile,
      secret: this.secret,
      project: this.project,
      patientKey,
      reportDetail: 'changes',
      // Never hand out risky pixels unmasked, whatever the caller checked before.
      refuseBurnedIn: true,
      ...(this.masking.enabled ? { pixelMasking: { templates: this.masking.templates } } : {}),
    });
    return { chunks: result.chunks, length: result.chunks.reduce((n, c) => n + c.byteLength, 0) };
  }

  /**
   * The engine's masked copy of an instance, parsed (frames, rendering and pixel bulk data of a masked image
   * are cut from it, never from the stored object). Cached beside the bytes it parses.
   */
  maskedInstance(instanceId: string, bytes: Uint8Array, patientKey: string): ParsedInstance {
    const key = `${this.fingerprint}:${instanceId}`;
    const cached = this.caches.parsed.get(key);
    if (cached) return cached;
    const deid = this.instanceOf(instanceId, bytes, patientKey);
    const parsed = parseInstance(Buffer.concat(deid.chunks));
    this.caches.parsed.set(key, parsed, deid.length);
    return parsed;
  }

  /** Reasons an instance is not served to annotators (burned-in text risk), empty when it may be. */
  burnedInReasons(metadata: DicomJson): string[] {
    return burnedInRisk({
      burnedInAnnotation: firstString(metadata, '00280301'),
      modality: firstString(metadata, '00080060'),
      sopClassUid: firstString(metadata, '00080016'),
      imageType: metadata['00080008']?.Value?.join('\\'),
      conversionType: firstString(metadata, '00080064'),
    }).reasons;
  }

  /**
   * Reasons the whole instance is not served to annotators: none when it has no burned-in risk or when
   * masking is on and a template fits it (the engine then masks it in `instanceOf`). When a template fits but
   * the pixel data cannot be masked (lossy or codec-less syntax), the engine's typed refusal is added.
   */
  instanceRefusal(metadata: DicomJson, transferSyntaxUid: string): string[] {
    const reasons = this.burnedInReasons(metadata);
    if (reasons.length === 0 || !this.masking.enabled) return reasons;
    const template = findMaskTemplate(this.masking.templates, {
      manufacturer: firstString(metadata, '00080070'),
      model: firstString(metadata, '00081090'),
      rows: Number(metadata['00280010']?.Value?.[0] ?? 0),
      columns: Number(metadata['00280011']?.Value?.[0] ?? 0),
    });
    if (!template) return reasons;
    if (NATIVE_OR_RLE.has(transferSyntaxUid)) return [];
    try {
      losslessCodecFor(transferSyntaxUid);
      return [];
    } catch (e) {
      if (e instanceof DeidError) return [...reasons, e.code];
      throw e;
    }
  }
}

/**
 * The de-identified (annotator-view) side of DICOMweb: JSON, instance bytes, UIDs, burned-in refusal and
 * pixel masking, per pseudonym scope: `siteView` for the unscoped root, `forProject` for a project's view
 * with the project's mask template selection when it has one (it overrides the site's; see
 * modules/reidentify/README.md).
 */
export class AnnotatorView {
  readonly uids: DeidUidResolver;
  private site: ScopedAnnotatorView;
  private siteMasking: PixelMasking = MASKING_OFF;
  private projectMasking = new Map<string, PixelMasking>();
  private scoped = new Map<string, ScopedAnnotatorView>();
  private readonly caches: Caches;

  constructor(
    private readonly secret: string,
    repository: DeidUidRepository,
    instanceCacheBytes = 256 * 1024 * 1024,
  ) {
    this.uids = new DeidUidResolver(secret, repository);
    this.caches = {
      json: new LruCache(20_000),
      instances: new LruCache(instanceCacheBytes),
      parsed: new LruCache(instanceCacheBytes / 2),
    };
    this.site = this.make(SITE_SCOPE, this.siteMasking);
  }

  private make(project: string, masking: PixelMasking) {
    return new ScopedAnnotatorView(this.secret, this.uids, project, masking, this.caches);
  }

  /** The view of one project (pseudonyms and date shifts scoped to it, its masking policy). */
  forProject(projectId: string): ScopedAnnotatorView {
    let view = this.scoped.get(projectId);
    if (!view) {
      view = this.make(projectId, this.projectMasking.get(projectId) ?? this.siteMasking);
      this.scoped.set(projectId, view);
    }
    return view;
  }

  /** The site-scope view (the unscoped `/dicomweb` root). */
  get siteView(): ScopedAnnotatorView {
    return this.site;
  }

  /**
   * Switches the masking policy: the site's, and the projects that override it with their own selection.
   * Fingerprints change with it, so nothing cached under an old policy is served.
   */
  setPixelMasking(site: PixelMasking, projects: ReadonlyMap<string, PixelMasking> = new Map()) {
    this.siteMasking = site;
    this.projectMasking = new Map(projects);
    this.site = this.make(SITE_SCOPE, site);
    this.scoped = new Map();
  }
}
