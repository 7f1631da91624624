import { createHash } from 'node:crypto';
import {
  burnedInRisk,
  DeidError,
  type DeidJsonDataset,
  deidentify,
  deidentifyJson,
  findMaskTemplate,
  type MaskTemplate,
  PROFILES,
  TABLE_E1_1_REVISION,
} from '@annex/dicom';
import { losslessCodecFor } from '@annex/dicom/deid/pixel-codecs.ts';
import { type DicomJson, firstString } from '../dicomweb/dicom-json.ts';
import { LruCache } from './lru-cache.ts';
import type { DeidUidRepository } from './repository.ts';
import { DeidUidResolver } from './uid-resolver.ts';

export const ANNOTATOR_PROFILE = 'annotator-view';

/**
 * Everything the annotator view depends on: a change to the profile, the standard's table, the JSON view or
 * the key gives a new fingerprint, and cached results under the old one are never served again.
 */
function fingerprintOf(keyId: string, masking: PixelMasking): string {
  return createHash('sha256')
    .update(
      JSON.stringify({ profile: PROFILES[ANNOTATOR_PROFILE], table: TABLE_E1_1_REVISION, keyId, masking }),
    )
    .digest('hex')
    .slice(0, 16);
}

/** Whether burned-in-risk images are served masked, and with which templates (site-wide). */
export interface PixelMasking {
  enabled: boolean;
  templates: MaskTemplate[];
}

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

/** The de-identified (annotator-view) side of DICOMweb: JSON, instance bytes, UIDs, burned-in refusal. */
export class AnnotatorView {
  readonly uids: DeidUidResolver;
  fingerprint: string;
  private masking: PixelMasking = { enabled: false, templates: [] };
  private readonly json = new LruCache<DicomJson>(20_000);
  private readonly instances: LruCache<DeidInstance>;

  constructor(
    private readonly secret: string,
    repository: DeidUidRepository,
    instanceCacheBytes = 256 * 1024 * 1024,
  ) {
    this.uids = new DeidUidResolver(secret, repository);
    this.fingerprint = fingerprintOf(this.uids.keyId, this.masking);
    this.instances = new LruCache(instanceCacheBytes);
  }

  /**
   * De-identified JSON of one stored dataset (study attributes, series attributes or instance metadata) through
   * the PS3.15 engine. `patientKey` is the original Patient ID from the index: study, series and instance rows
   * (series rows carry no Patient ID) and instance bytes all get the same pseudonym and date shift.
   * `cacheKey` names the row (level + db id); rows never change once written.
   */
  jsonOf(cacheKey: string, ds: DicomJson, patientKey: string): DicomJson {
    const key = `${this.fingerprint}:${cacheKey}`;
    const cached = this.json.get(key);
    if (cached) return cached;
    const out = deidentifyJson(ds as DeidJsonDataset, {
      profile: ANNOTATOR_PROFILE,
      secret: this.secret,
      patientKey,
      reportDetail: 'changes',
    }).dataset as DicomJson;
    this.json.set(key, out, 1);
    return out;
  }

  /** The instance bytes through the PS3.15 engine (annotator-view profile), cached per instance. */
  instanceOf(instanceId: string, bytes: Uint8Array, patientKey: string): DeidInstance {
    const key = `${this.fingerprint}:${instanceId}`;
    const cached = this.instances.get(key);
    if (cached) return cached;
    const result = deidentify(bytes, {
      profile: ANNOTATOR_PROFILE,
      secret: this.secret,
      patientKey,
      reportDetail: 'changes',
      // Never hand out risky pixels unmasked, whatever the caller checked before.
      refuseBurnedIn: true,
      ...(this.masking.enabled ? { pixelMasking: { templates: this.masking.templates } } : {}),
    });
    const out = { chunks: result.chunks, length: result.chunks.reduce((n, c) => n + c.byteLength, 0) };
    this.instances.set(key, out, out.length);
    return out;
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

  /** Switches masking policy; the fingerprint changes with it, so nothing cached under the old one is served. */
  setPixelMasking(masking: PixelMasking) {
    this.masking = masking;
    this.fingerprint = fingerprintOf(this.uids.keyId, masking);
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
