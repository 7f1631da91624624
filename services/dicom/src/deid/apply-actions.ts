/**
 * The per-attribute work of the engine: walks a data set and its items, resolves each attribute's action
 * (Table E.1-1, options, IOD type), applies it, and notes what it did and why in the report.
 */

import { PIXEL_DATA } from '../part10/constants.ts';
import type { DElement } from './binary/element.ts';
import { cleanText } from './clean-text.ts';
import { shiftDateValue } from './date-shift.ts';
import type { DeidentifyParams } from './deidentify-options.ts';
import { lookupTag, tagLabel } from './dictionary.ts';
import { TABLE_E1_1_REVISION } from './generated/table-e1-1.ts';
import { MARKING_TAGS } from './marking.ts';
import type { PhiMatchers } from './phi-matchers.ts';
import type { DeidProfile } from './profiles.ts';
import type { ReportEntry } from './report.ts';
import { type Resolved, repeatingGroup, resolveStandard } from './rules.ts';
import { findSafePrivate, valueFitsSafeVr } from './safe-private.ts';
import type { IodAttributeTypes } from './table-types.ts';
import { type Charset, decodeText, dummyValue, encodeText } from './text-values.ts';
import type { UidRemapper } from './uid-remap.ts';

type Mode = 'normal' | 'strict' | 'clean';

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;
const FREE_TEXT_VRS = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN', 'AE']);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);
const TEXT_FOR_STRICT = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN', 'AE', 'UR', 'AS', 'IS', 'DS']);

export interface Ctx {
  profile: DeidProfile;
  params: DeidentifyParams;
  iod: IodAttributeTypes | undefined;
  charset: Charset;
  uids: UidRemapper;
  entries: ReportEntry[];
  full: boolean;
  patientPseudonym: string;
  dateShiftDays: number | undefined;
  matchers: () => PhiMatchers;
}

function note(
  ctx: Ctx,
  path: string,
  tag: number,
  name: string | undefined,
  action: ReportEntry['action'],
  rule: string,
) {
  if (action === 'kept' && !ctx.full) return;
  ctx.entries.push({ path, name: name ?? lookupTag(tag)?.keyword ?? 'Unknown', action, rule });
}

export function allowListed(dataset: DElement[], allow: ReadonlySet<number>, ctx: Ctx): DElement[] {
  const out: DElement[] = [];
  for (const e of dataset) {
    const path = tagLabel(e.tag);
    const ok = allow.has(e.tag) && !e.items && !e.encapsulated && (e.vr !== 'CS' || codeStringOk(e.value));
    if (ok) {
      out.push(e);
      note(ctx, path, e.tag, undefined, 'kept', `on the ${ctx.profile.id} allow-list`);
    } else {
      note(ctx, path, e.tag, undefined, 'removed', `not on the ${ctx.profile.id} allow-list`);
    }
  }
  return out;
}

function codeStringOk(v: Uint8Array | undefined): boolean {
  return !v || /^[A-Z0-9 _\\]*$/.test(decodeText(v, 'latin1'));
}

export function processItem(
  elements: DElement[],
  depth: number,
  prefix: string,
  mode: Mode,
  ctx: Ctx,
  parentTag?: number,
): DElement[] {
  const out: DElement[] = [];
  let creators: Map<number, string> | undefined;
  const keptCreators = new Set<number>();
  const creatorPaths: Array<[string, number]> = [];
  for (const e of elements) {
    const path = prefix + tagLabel(e.tag);
    const group = e.tag >>> 16;
    if ((e.tag & 0xffff) === 0) {
      note(ctx, path, e.tag, 'GroupLength', 'removed', 'group lengths are not written (retired)');
      continue;
    }
    if (depth === 0 && MARKING_TAGS.has(e.tag)) continue; // rewritten by the marking step
    if (group & 1) {
      creators ??= privateCreators(elements, ctx.charset);
      let kept = privateElement(e, creators, ctx);
      if (kept && e.value && ctx.matchers().find(decodeText(e.value, ctx.charset), e.vr).length)
        kept = undefined;
      if (kept) {
        out.push(e);
        keptCreators.add(((group << 16) | ((e.tag & 0xff00) >>> 8)) >>> 0);
        note(ctx, path, e.tag, 'Private', 'kept', `${kept}`);
      } else if (!isCreator(e.tag)) {
        note(
          ctx,
          path,
          e.tag,
          'Private',
          'removed',
          `${TABLE_E1_1_REVISION} Table E.1-1 private attributes X`,
        );
      } else {
        creatorPaths.push([path, e.tag]);
      }
      continue;
    }
    if (depth === 0 && e.tag === PIXEL_DATA) {
      out.push(e);
      note(ctx, path, e.tag, 'PixelData', 'kept', 'pixel data passed through unchanged');
      continue;
    }
    const r = resolveStandard(e.tag, ctx.profile.options, ctx.iod, depth, e.items !== undefined, parentTag);
    const replaced = r ? applyResolved(e, r, depth, path, ctx) : notListed(e, depth, path, mode, ctx);
    if (replaced) out.push(replaced);
  }
  if (keptCreators.size) {
    // Creators of the retained private blocks must stay, or the block cannot be interpreted.
    for (const e of elements) if (keptCreators.has(e.tag)) out.push(e);
    out.sort((a, b) => a.tag - b.tag);
  }
  for (const [path, tag] of creatorPaths) {
    const kept = keptCreators.has(tag);
    const why = kept ? 'creator of a retained safe private block' : 'creator of removed private attributes';
    note(ctx, path, tag, 'PrivateCreator', kept ? 'kept' : 'removed', why);
  }
  return out;
}

function isCreator(tag: number): boolean {
  const el = tag & 0xffff;
  return el >= 0x10 && el <= 0xff;
}

function privateCreators(elements: DElement[], charset: Charset): Map<number, string> {
  const m = new Map<number, string>();
  for (const e of elements) {
    if ((e.tag >>> 16) & 1 && isCreator(e.tag) && e.value) m.set(e.tag, decodeText(e.value, charset).trim());
  }
  return m;
}

/** Returns the reason a private element is kept, or undefined to remove it. */
function privateElement(e: DElement, creators: Map<number, string>, ctx: Ctx): string | undefined {
  if (!ctx.profile.options.retainSafePrivate || isCreator(e.tag) || !e.value) return undefined;
  const group = e.tag >>> 16;
  const block = (e.tag & 0xff00) >>> 8;
  const creator = creators.get(((group << 16) | block) >>> 0);
  if (!creator) return undefined;
  const safe = findSafePrivate(creator, group, e.tag & 0xff);
  if (!safe || !valueFitsSafeVr(safe.vr, e.value)) return undefined;
  return `Retain Safe Private: ${creator} ${safe.meaning}`;
}

function vrOf(e: DElement): string {
  return e.vr === 'UN' ? (lookupTag(e.tag)?.vr ?? 'UN') : e.vr;
}

function applyResolved(
  e: DElement,
  r: Resolved,
  depth: number,
  path: string,
  ctx: Ctx,
): DElement | undefined {
  const vr = vrOf(e);
  if (depth === 0 && (e.tag === PATIENT_NAME || e.tag === PATIENT_ID) && (r.code === 'Z' || r.code === 'D')) {
    // As a PN the pseudonym is the family name ("pt_…^"): a single-component name is the retired PN form.
    note(ctx, path, e.tag, r.name, 'pseudonym', `${r.rule}; patient pseudonym`);
    return {
      tag: e.tag,
      vr,
      value: encodeText(vr, vr === 'PN' ? `${ctx.patientPseudonym}^` : ctx.patientPseudonym),
    };
  }
  switch (r.code) {
    case 'X':
      note(ctx, path, e.tag, r.name, 'removed', r.rule);
      return undefined;
    case 'Z':
      note(ctx, path, e.tag, r.name, 'emptied', r.rule);
      return e.items ? { tag: e.tag, vr: 'SQ', items: [] } : { tag: e.tag, vr, value: new Uint8Array(0) };
    case 'D':
      if (e.items) {
        note(ctx, path, e.tag, r.name, 'dummy', `${r.rule}; items kept, their text replaced`);
        return { ...e, items: items(e, depth, path, 'strict', ctx) };
      }
      if (vr === 'UI') return remapUid(e, path, r.name, r.rule, ctx);
      note(ctx, path, e.tag, r.name, 'dummy', r.rule);
      return { tag: e.tag, vr, value: dummyValue(vr) };
    case 'U':
      if (e.items) {
        note(ctx, path, e.tag, r.name, 'kept', `${r.rule}; UIDs inside replaced`);
        return { ...e, items: items(e, depth, path, 'normal', ctx) };
      }
      return remapUid(e, path, r.name, r.rule, ctx);
    case 'K':
      if (e.items) {
        note(ctx, path, e.tag, r.name, 'kept', `${r.rule}; items de-identified`);
        return { ...e, items: items(e, depth, path, 'normal', ctx) };
      }
      return keep(e, vr, path, r.name, r.rule, ctx);
    case 'C':
      return clean(e, vr, depth, path, r.name, r.rule, ctx);
  }
}

function items(e: DElement, depth: number, path: string, mode: Mode, ctx: Ctx): DElement[][] {
  return (e.items ?? []).map((item, i) => processItem(item, depth + 1, `${path}[${i}].`, mode, ctx, e.tag));
}

function remapUid(e: DElement, path: string, name: string | undefined, rule: string, ctx: Ctx): DElement {
  if (ctx.profile.options.retainUids) {
    note(ctx, path, e.tag, name, 'kept', `${rule}; Retain UIDs`);
    return e;
  }
  const uids = decodeText(e.value ?? new Uint8Array(0), 'latin1')
    .split('\\')
    .map((u) => u.trim());
  // UIDs under the standard's own root (SOP classes, transfer syntaxes, coding schemes) identify nothing.
  const mapped = uids.map((u) => (u && !u.startsWith('1.2.840.10008.') ? ctx.uids.remap(u) : u)).join('\\');
  note(ctx, path, e.tag, name, 'uid-remapped', rule);
  return { tag: e.tag, vr: 'UI', value: encodeText('UI', mapped) };
}

function clean(e: DElement, vr: string, depth: number, path: string, name: string, rule: string, ctx: Ctx) {
  if (e.items) {
    note(ctx, path, e.tag, name, 'cleaned', `${rule}; items cleaned`);
    return { ...e, items: items(e, depth, path, 'clean', ctx) };
  }
  if (vr === 'DA' || vr === 'DT') return dateValue(e, vr, path, name, rule, ctx);
  if (vr === 'UI') return remapUid(e, path, name, rule, ctx);
  if (FREE_TEXT_VRS.has(vr)) return cleanFreeText(e, vr, path, name, rule, ctx);
  if (BINARY_VRS.has(vr) && !repeatingGroup(e.tag)) {
    // An opaque blob (e.g. a maker note) cannot be cleaned; overlay and curve bitmaps carry no text.
    note(ctx, path, e.tag, name, 'removed', `${rule}; binary value cannot be cleaned`);
    return undefined;
  }
  return keep(e, vr, path, name, `${rule}; nothing to clean in ${vr}`, ctx);
}

/**
 * Keeps a value, but never this object's own PHI: a kept text value (a standard attribute the table does not
 * list, or one an option retains) that still contains the patient's name, IDs, dates… is cleaned anyway.
 */
function keep(
  e: DElement,
  vr: string,
  path: string,
  name: string | undefined,
  rule: string,
  ctx: Ctx,
): DElement | undefined {
  if ((FREE_TEXT_VRS.has(vr) || vr === 'CS') && e.value && e.value.length > 2) {
    const text = decodeText(e.value, ctx.charset);
    if (ctx.matchers().find(text, vr).length) {
      if (vr === 'CS' || vr === 'AE' || vr === 'PN') {
        note(ctx, path, e.tag, name, 'dummy', `${rule}; value held this object's PHI`);
        return { tag: e.tag, vr, value: dummyValue(vr) };
      }
      return cleanFreeText(e, vr, path, name, `${rule}; value held this object's PHI`, ctx);
    }
  }
  note(ctx, path, e.tag, name, 'kept', rule);
  return e;
}

function cleanFreeText(
  e: DElement,
  vr: string,
  path: string,
  name: string | undefined,
  rule: string,
  ctx: Ctx,
) {
  const before = decodeText(e.value ?? new Uint8Array(0), ctx.charset);
  const after = vr === 'PN' && before ? 'ANONYMIZED' : cleanText(before, ctx.matchers());
  if (after === before) {
    note(ctx, path, e.tag, name, 'kept', `${rule}; nothing identifying found`);
    return e;
  }
  note(ctx, path, e.tag, name, 'cleaned', rule);
  return { tag: e.tag, vr, value: encodeText(vr, after, ctx.charset) };
}

function dateValue(
  e: DElement,
  vr: 'DA' | 'DT',
  path: string,
  name: string | undefined,
  rule: string,
  ctx: Ctx,
) {
  const days = ctx.dateShiftDays;
  if (days === undefined) {
    if (ctx.profile.options.retainLongitudinalFullDates) {
      note(ctx, path, e.tag, name, 'kept', rule);
      return e;
    }
    note(ctx, path, e.tag, name, 'dummy', `${rule}; no date option, dummy date`);
    return { tag: e.tag, vr, value: dummyValue(vr) };
  }
  const before = decodeText(e.value ?? new Uint8Array(0), 'latin1');
  note(ctx, path, e.tag, name, 'date-shifted', `${rule}; shifted by the patient's date offset`);
  return { tag: e.tag, vr, value: encodeText(vr, shiftDateValue(vr, before, days)) };
}

/** Attributes Table E.1-1 does not list: kept, except inside sequences whose content must be replaced or cleaned. */
function notListed(e: DElement, depth: number, path: string, mode: Mode, ctx: Ctx): DElement | undefined {
  const vr = vrOf(e);
  const why = 'not in Table E.1-1';
  if (e.items) {
    if (mode === 'normal') note(ctx, path, e.tag, undefined, 'kept', `${why}; items de-identified`);
    return { ...e, items: items(e, depth, path, mode, ctx) };
  }
  if (!e.value || e.value.length === 0) {
    note(ctx, path, e.tag, undefined, 'kept', why);
    return e;
  }
  if (mode === 'normal') return keep(e, vr, path, undefined, why, ctx);
  if (vr === 'UI') return remapUid(e, path, undefined, `${why}; inside a replaced sequence`, ctx);
  if (vr === 'DA' || vr === 'DT')
    return dateValue(e, vr, path, undefined, `${why}; inside a ${mode} sequence`, ctx);
  if (mode === 'strict' && TEXT_FOR_STRICT.has(vr)) {
    note(ctx, path, e.tag, undefined, 'dummy', `${why}; inside a sequence the profile replaces (D)`);
    return { tag: e.tag, vr, value: dummyValue(vr) };
  }
  if (mode === 'clean' && FREE_TEXT_VRS.has(vr))
    return cleanFreeText(e, vr, path, undefined, `${why}; inside a cleaned sequence`, ctx);
  return keep(e, vr, path, undefined, why, ctx);
}
