import { createHmac } from 'node:crypto';
import { PIXEL_DATA } from '../part10/constants.ts';
import { isOwnPseudonym, pseudonymize } from '../pseudonym/pseudonymize.ts';
import { allowListed, type Ctx, processItem } from './apply-actions.ts';
import type { DElement } from './binary/element.ts';
import { type BurnedInRisk, burnedInRisk } from './burned-in.ts';
import { collectPhiFromElements } from './collect-phi.ts';
import { dateShiftDaysFor } from './date-shift.ts';
import type { DeidentifyParams } from './deidentify-options.ts';
import { lookupTag, tagLabel } from './dictionary.ts';
import { IOD_ATTRIBUTE_TYPES } from './generated/iod-attribute-types.ts';
import { TABLE_E1_1_REVISION } from './generated/table-e1-1.ts';
import { markingElements } from './marking.ts';
import { compilePhiMatchers, type PhiMatchers } from './phi-matchers.ts';
import type { PhiKind, PhiValues } from './phi-values.ts';
import { type DeidProfile, resolveProfile } from './profiles.ts';
import type { DeidReport } from './report.ts';
import { charsetOf, decodeText } from './text-values.ts';
import { UidRemapper } from './uid-remap.ts';

const PATIENT_ID = 0x00100020;
const SOP_CLASS_UID = 0x00080016;
const SOP_INSTANCE_UID = 0x00080018;

export interface EngineResult {
  dataset: DElement[];
  report: DeidReport;
  /** The new SOP Instance UID (for the file meta). */
  sopInstanceUid?: string;
  /** PHI of the original, restricted to what this profile must not keep (for the residual check). */
  mustNotKeep: PhiValues;
  keptKinds: PhiKind[];
}

/** Per-patient values repeat for every instance of a series: remember recent ones (keyed by key id, not secret). */
const memoized = new Map<string, unknown>();
function memo<T>(key: string, make: () => T): T {
  if (memoized.has(key)) return memoized.get(key) as T;
  const v = make();
  memoized.set(key, v);
  if (memoized.size > 1024) memoized.delete(memoized.keys().next().value!);
  return v;
}

const keyIds = new Map<string | Uint8Array, string>();

/** A short public id of the site secret, written into the marking so a re-run can recognise its own output. */
export function keyIdOf(secret: string | Uint8Array): string {
  let id = keyIds.get(secret);
  if (!id) {
    id = createHmac('sha256', secret).update('annex-key-id').digest('hex').slice(0, 8);
    if (keyIds.size > 8) keyIds.clear();
    keyIds.set(secret, id);
  }
  return id;
}

/** Applies a profile to a top-level data set. Values of unchanged elements stay views of the source. */
export function runEngine(
  dataset: DElement[],
  params: DeidentifyParams,
  transferSyntaxUid: string,
  maskPixels?: (dataset: DElement[], risk: BurnedInRisk) => DElement | undefined,
): EngineResult {
  const profile = resolveProfile(params.profile as string | DeidProfile, params.options);
  const options = profile.options;
  const top = new Map(dataset.map((e) => [e.tag, e]));
  const text = (tag: number): string | undefined => {
    const v = top.get(tag)?.value;
    return v ? decodeText(v, 'latin1') : undefined;
  };
  const charset = charsetOf(text(0x00080005));
  const sopClassUid = text(SOP_CLASS_UID);
  const iod = sopClassUid ? IOD_ATTRIBUTE_TYPES[sopClassUid] : undefined;
  const keyId = keyIdOf(params.secret);
  const method = text(0x00120063) ?? '';
  const alreadyOurs = text(0x00120062) === 'YES' && method.includes(`key ${keyId}`);
  const originalPatientId = top.get(PATIENT_ID)?.value
    ? decodeText(top.get(PATIENT_ID)!.value!, charset)
    : '';
  // Without a Patient ID (or a site key) all such patients must not share one pseudonym: fall back to the
  // study, so the pseudonym and date shift are at least consistent within it.
  const patientKey =
    params.patientKey ??
    (originalPatientId.trim()
      ? originalPatientId
      : `study:${text(0x0020000d) ?? text(SOP_INSTANCE_UID) ?? ''}`);
  const patientPseudonym = isOwnPseudonym(params.secret, 'patient', originalPatientId, params.project)
    ? originalPatientId
    : memo(`pt\0${keyId}\0${params.project}\0${patientKey}`, () =>
        pseudonymize(params.secret, 'patient', patientKey, params.project),
      );
  let dateShiftDays: number | undefined;
  // Dates of an object this key already shifted are not shifted again: twice must equal once.
  const alreadyShifted =
    options.retainLongitudinalModifiedDates && alreadyOurs && text(0x00280303) === 'MODIFIED';
  if (options.retainLongitudinalModifiedDates) {
    dateShiftDays = alreadyShifted
      ? 0
      : (params.dateShiftDays ??
        memo(`ds\0${keyId}\0${params.project}\0${patientKey}`, () =>
          dateShiftDaysFor(params.secret, patientKey, params.project),
        ));
  }
  const risk = burnedInRisk({
    burnedInAnnotation: text(0x00280301),
    modality: text(0x00080060),
    sopClassUid,
    imageType: text(0x00080008),
    conversionType: text(0x00080064),
  });

  const keptKinds = keptPhiKinds(profile);
  const mustNotKeep = withoutOwnValues(collectPhiFromElements(dataset), params, alreadyShifted);
  for (const k of keptKinds) mustNotKeep[k] = [];
  let matchers: PhiMatchers | undefined;
  const ctx: Ctx = {
    profile,
    params,
    iod,
    charset,
    uids: UidRemapper.for(params.secret),
    entries: [],
    full: params.reportDetail === 'full',
    patientPseudonym,
    dateShiftDays,
    matchers: () => {
      matchers ??= compilePhiMatchers(mustNotKeep);
      return matchers;
    },
  };

  let out: DElement[];
  if (profile.allowList) out = allowListed(dataset, profile.allowList, ctx);
  else out = processItem(dataset, 0, '', 'normal', ctx);

  let masked = false;
  if (maskPixels && !profile.allowList && risk.risk) {
    const replaced = maskPixels(dataset, risk);
    if (replaced) {
      const i = out.findIndex((e) => e.tag === PIXEL_DATA);
      if (i >= 0) out[i] = replaced;
      masked = true;
      ctx.entries.push({
        path: tagLabel(PIXEL_DATA),
        name: 'PixelData',
        action: 'cleaned',
        rule: 'Clean Pixel Data: mask template',
      });
    }
  }
  const longitudinal = options.retainLongitudinalFullDates
    ? 'UNMODIFIED'
    : options.retainLongitudinalModifiedDates
      ? 'MODIFIED'
      : 'REMOVED';
  for (const m of markingElements(profile, masked, keyId, longitudinal)) {
    out.push(m);
    ctx.entries.push({
      path: tagLabel(m.tag),
      name: lookupTag(m.tag)?.keyword ?? '',
      action: 'added',
      rule: 'PS3.15 E.1.1 de-identification marking',
    });
  }
  out.sort((a, b) => a.tag - b.tag);

  const newSop = out.find((e) => e.tag === SOP_INSTANCE_UID)?.value;
  const counts = Object.fromEntries(
    [
      'removed',
      'emptied',
      'dummy',
      'pseudonym',
      'uid-remapped',
      'date-shifted',
      'cleaned',
      'kept',
      'added',
    ].map((a) => [a, 0]),
  ) as DeidReport['counts'];
  for (const e of ctx.entries) counts[e.action]++;
  const report: DeidReport = {
    standard: TABLE_E1_1_REVISION,
    profile: profile.id,
    options: { ...options },
    sopClassUid,
    iod: iod?.iod,
    transferSyntaxUid,
    dateShift: dateShiftDays === undefined ? 'none' : alreadyShifted ? 'already-applied' : 'applied',
    burnedIn: { risk: risk.risk, reasons: risk.reasons, masked },
    pixelDataPassedThrough: !masked && out.some((e) => e.tag === PIXEL_DATA),
    verified: false,
    entries: ctx.entries,
    counts,
  };
  return {
    dataset: out,
    report,
    sopInstanceUid: newSop ? decodeText(newSop, 'latin1') : undefined,
    mustNotKeep,
    keptKinds,
  };
}

/**
 * An input this key already de-identified carries our own pseudonyms, UIDs, dummies and shifted dates: those
 * are not the original's PHI and must not count as residual (else twice could not equal once).
 */
function withoutOwnValues(phi: PhiValues, params: DeidentifyParams, datesAlreadyShifted: boolean): PhiValues {
  const uids = UidRemapper.for(params.secret);
  const own = (v: string) =>
    DUMMY_STRINGS.has(v.toUpperCase()) ||
    isOwnPseudonym(params.secret, 'patient', v.replace(/\^+$/, ''), params.project) ||
    (v.startsWith('2.25.') && uids.isOwn(v));
  const out = { ...phi };
  for (const k of Object.keys(out) as PhiKind[]) out[k] = out[k].filter((v) => !own(v));
  if (datesAlreadyShifted) out.eventDates = [];
  return out;
}

const DUMMY_STRINGS = new Set(['ANONYMIZED', 'ANONYMOUS', '19000101', '19000101000000']);

/** PHI kinds an option legitimately keeps, so the residual check does not flag them. */
function keptPhiKinds(profile: DeidProfile): PhiKind[] {
  const o = profile.options;
  const kept: PhiKind[] = [];
  if (o.retainLongitudinalFullDates) kept.push('eventDates');
  if (o.retainInstitutionIdentity) kept.push('institutions');
  if (o.retainDeviceIdentity) kept.push('devices');
  if (o.retainUids) kept.push('uids');
  return kept;
}
