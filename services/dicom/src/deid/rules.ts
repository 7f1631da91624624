import { NESTED_ATTRIBUTE_TYPES } from './generated/iod-attribute-types.ts';
import { TABLE_E1_1, TABLE_E1_1_REVISION } from './generated/table-e1-1.ts';
import type { DeidOptions } from './profiles.ts';
import type { E11OptionColumn, IodAttributeTypes } from './table-types.ts';

/** A resolved action: what to do with one attribute, and the rule that says so (for the report). */
export interface Resolved {
  code: 'X' | 'Z' | 'D' | 'K' | 'C' | 'U';
  rule: string;
  name: string;
}

interface Row {
  name: string;
  basic: string;
  opts: Partial<Record<E11OptionColumn, string>>;
}

const exact = new Map<number, Row>();
let curveRow: Row | undefined;
let overlayDataRow: Row | undefined;
let overlayCommentsRow: Row | undefined;
let privateRow: Row | undefined;
for (const [tag, name, basic, opts] of TABLE_E1_1) {
  const row: Row = { name, basic, opts };
  if (/^[0-9A-F]{8}$/.test(tag)) exact.set(Number.parseInt(tag, 16) >>> 0, row);
  else if (tag === '50XXXXXX') curveRow = row;
  else if (tag === '60XX3000') overlayDataRow = row;
  else if (tag === '60XX4000') overlayCommentsRow = row;
  else if (tag.startsWith('GGGG')) privateRow = row;
}
if (!curveRow || !overlayDataRow || !overlayCommentsRow || !privateRow) {
  throw new Error('Table E.1-1 is missing its pattern rows');
}

export const RULE_SOURCE = `${TABLE_E1_1_REVISION} Table E.1-1`;

const OPTION_FOR: Record<E11OptionColumn, keyof DeidOptions> = {
  rtnSafePrivOpt: 'retainSafePrivate',
  rtnUIDsOpt: 'retainUids',
  rtnDevIdOpt: 'retainDeviceIdentity',
  rtnInstIdOpt: 'retainInstitutionIdentity',
  rtnPatCharsOpt: 'retainPatientCharacteristics',
  rtnLongFullDatesOpt: 'retainLongitudinalFullDates',
  rtnLongModifDatesOpt: 'retainLongitudinalModifiedDates',
  cleanDescOpt: 'cleanDescriptors',
  cleanStructContOpt: 'cleanStructuredContent',
  cleanGraphOpt: 'cleanGraphics',
};

/** Whether a tag is in the curve (50xx) or overlay (60xx) repeating groups. */
export function repeatingGroup(tag: number): 'curve' | 'overlay' | undefined {
  const g = tag >>> 16;
  if ((g & 0xff01) === 0x5000) return 'curve';
  if ((g & 0xff01) === 0x6000) return 'overlay';
  return undefined;
}

export function tableRowName(tag: number): string | undefined {
  return exact.get(tag)?.name;
}

/**
 * The Table E.1-1 action for a standard (even group) attribute, or undefined when the table does not list it
 * (then the standard considers it not identifying). Combined actions use the attribute's type: at the top
 * level from the object's IOD, inside a sequence from the sequence's item definition (`parentTag`). Where the
 * type is unknown (an IOD or item the 2008 tables lack) they replace (empty or dummy) instead of removing, so
 * the object stays valid.
 */
export function resolveStandard(
  tag: number,
  options: DeidOptions,
  iod: IodAttributeTypes | undefined,
  depth: number,
  isSequence = false,
  parentTag?: number,
): Resolved | undefined {
  let row = exact.get(tag);
  let extended = false;
  const rg = repeatingGroup(tag);
  if (rg === 'curve') row = curveRow;
  else if (rg === 'overlay') {
    const el = tag & 0xffff;
    row = el === 0x4000 ? overlayCommentsRow : overlayDataRow;
    // The rest of an overlay group (rows, columns, origin…) goes with its Overlay Data, else the
    // remaining overlay module would be invalid.
    extended = el !== 0x3000 && el !== 0x4000;
  }
  if (!row) return otherRepeatingGroup(tag);
  const applied = applyOptions(row, options);
  const suffix = extended ? ' (applied to the whole overlay group)' : '';
  if (applied.code.length === 1) {
    return {
      code: applied.code as Resolved['code'],
      rule: `${RULE_SOURCE} ${applied.why}${suffix}`,
      name: row.name,
    };
  }
  const type =
    depth === 0
      ? iod
        ? (iod.types[tagKey(tag)] ?? '3')
        : undefined
      : parentTag === undefined
        ? undefined
        : NESTED_ATTRIBUTE_TYPES[`${tagKey(parentTag)}/${tagKey(tag)}`];
  // A sequence of unknown type is neither emptied nor removed (either can break the IOD): its items are kept
  // and get the profile applied with their text replaced (D).
  const code =
    type === undefined && isSequence ? (applied.code === 'X/Z/U*' ? 'U' : 'D') : combined(applied.code, type);
  const typeWhy =
    type === undefined
      ? 'IOD type unknown'
      : depth === 0
        ? `Type ${type} in ${iod!.iod}`
        : `Type ${type} in its sequence (${tagKey(parentTag!)})`;
  return { code, rule: `${RULE_SOURCE} ${applied.why} -> ${code} (${typeWhy})`, name: row.name };
}

export function privateRule(): Row {
  return privateRow!;
}

function tagKey(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

const applied = new WeakMap<DeidOptions, Map<Row, { code: string; why: string }>>();

function applyOptions(row: Row, options: DeidOptions): { code: string; why: string } {
  let perOptions = applied.get(options);
  if (!perOptions) {
    perOptions = new Map();
    applied.set(options, perOptions);
  }
  let a = perOptions.get(row);
  if (!a) {
    a = computeOptions(row, options);
    perOptions.set(row, a);
  }
  return a;
}

function computeOptions(row: Row, options: DeidOptions): { code: string; why: string } {
  // When several enabled options override the same attribute, keeping wins over cleaning.
  let best: { code: string; why: string } | undefined;
  for (const [column, code] of Object.entries(row.opts) as [E11OptionColumn, string][]) {
    if (!options[OPTION_FOR[column]]) continue;
    if (!best || (code === 'K' && best.code !== 'K'))
      best = { code, why: `${code} by option ${OPTION_FOR[column]}` };
  }
  return best ?? { code: row.basic, why: `basic profile ${row.basic}` };
}

function combined(code: string, type: string | undefined): Resolved['code'] {
  const required1 = type === '1' || type === '1C';
  const required2 = type === '2' || type === '2C';
  switch (code) {
    case 'X/Z':
      return required1 ? 'D' : required2 ? 'Z' : type === '3' ? 'X' : 'Z';
    case 'X/D':
      return required1 || required2 ? 'D' : type === '3' ? 'X' : 'D';
    case 'Z/D':
      return required1 ? 'D' : required2 || type === '3' ? 'Z' : 'D';
    case 'X/Z/D':
      return required1 ? 'D' : required2 ? 'Z' : type === '3' ? 'X' : 'Z';
    case 'X/Z/U*':
      // Z would be conformant for Type 2, but U (keep, replace the UIDs inside) is too, and keeps references
      // between de-identified objects (SEG/SR sources) intact at no cost in identity.
      return required1 || required2 ? 'U' : type === '3' ? 'X' : 'U';
    default:
      throw new Error(`Unknown combined action ${code}`);
  }
}

/**
 * The other repeating groups of PS3.5 7.6 that the table does not name: retired Variable Pixel Data (7Fxx other
 * than 7FE0, image data that may show text) and retired Source Image IDs (0020,31xx, identifiers). Removed.
 */
function otherRepeatingGroup(tag: number): Resolved | undefined {
  const g = tag >>> 16;
  if ((g & 0xff00) === 0x7f00 && g !== 0x7fe0 && !(g & 1)) {
    return {
      code: 'X',
      rule: `${RULE_SOURCE} not listed; repeating group 7Fxx (retired Variable Pixel Data) removed`,
      name: 'Variable Pixel Data',
    };
  }
  if (g === 0x0020 && (tag & 0xff00) === 0x3100) {
    return {
      code: 'X',
      rule: `${RULE_SOURCE} not listed; repeating group (0020,31xx) (retired Source Image IDs) removed`,
      name: 'Source Image IDs',
    };
  }
  return undefined;
}
