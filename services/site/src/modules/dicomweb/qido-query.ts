import { T, type TagHex, tagOf, vrOf } from './dictionary.ts';
import { qidoBadRequest } from './errors.ts';

export type QidoLevel = 'study' | 'series' | 'instance';

/** How one attribute is matched (PS3.4 C.2.2.2). */
export type Matcher =
  | { kind: 'universal' }
  | { kind: 'uids'; values: string[] }
  | { kind: 'range'; from?: string; to?: string }
  | { kind: 'exact'; value: string }
  | { kind: 'wildcard'; pattern: string }
  | { kind: 'fuzzy-name'; tokens: string[] };

export interface QidoFilter {
  tag: TagHex;
  vr: string;
  matcher: Matcher;
}

export interface QidoQuery {
  level: QidoLevel;
  filters: QidoFilter[];
  /** `includefield=all`: every attribute the index holds for the level. */
  includeAll: boolean;
  /** Extra attributes to return, beyond the required ones (includefield and universal-matching keys). */
  includeFields: TagHex[];
  limit: number;
  offset: number;
  fuzzy: boolean;
}

export const DEFAULT_LIMIT = 200;
export const MAX_LIMIT = 1000;
const MAX_VALUE_LENGTH = 256;
const MAX_UIDS = 500;
const UID = /^[0-9]+(\.[0-9]+)*$/;
const DA = /^\d{8}$/;
const TM = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const RESERVED = new Set(['limit', 'offset', 'includefield', 'fuzzymatching']);

type Params = Record<string, string | string[] | undefined>;

const single = (params: Params, key: string): string | undefined => {
  const v = params[key];
  if (Array.isArray(v))
    throw qidoBadRequest('QIDO_REPEATED_PARAMETER', `The parameter "${key}" may appear once.`);
  return v;
};

function integer(raw: string | undefined, name: string, min: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min) {
    throw qidoBadRequest('QIDO_BAD_PAGING', `"${name}" must be an integer >= ${min}.`);
  }
  return Number(raw);
}

function parseRange(value: string, vr: 'DA' | 'TM', key: string): Matcher {
  const form = vr === 'DA' ? DA : TM;
  const check = (part: string) => {
    if (part !== '' && !form.test(part)) {
      throw qidoBadRequest(
        vr === 'DA' ? 'QIDO_BAD_DATE' : 'QIDO_BAD_TIME',
        vr === 'DA'
          ? `"${key}" must be a date YYYYMMDD or a range a-b, -b or a- of such dates.`
          : `"${key}" must be a time HHMMSS[.ffffff] or a range of such times.`,
      );
    }
    return part;
  };
  const parts = value.split('-');
  if (parts.length === 1) return { kind: 'exact', value: check(value) };
  // "2020-01-01" is a date in the wrong form, not a range.
  if (parts.length > 2) check(value);
  if (parts[0] === '' && parts[1] === '') {
    throw qidoBadRequest('QIDO_BAD_RANGE', `"${key}" has a malformed range.`);
  }
  const [from, to] = [check(parts[0]!), check(parts[1]!)];
  if (from && to && from > to)
    throw qidoBadRequest('QIDO_BAD_RANGE', `"${key}" has a range that ends before it starts.`);
  return { kind: 'range', ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function parseMatcher(vr: string, value: string, fuzzy: boolean, key: string): Matcher {
  if (value === '') return { kind: 'universal' };
  if (value.length > MAX_VALUE_LENGTH) throw qidoBadRequest('QIDO_VALUE_TOO_LONG', `"${key}" is too long.`);
  if (vr === 'UI') {
    const values = value.split(/[,\\]/).map((s) => s.trim());
    if (values.length > MAX_UIDS || values.some((u) => u.length > 64 || !UID.test(u))) {
      throw qidoBadRequest('QIDO_BAD_UID', `"${key}" must be one UID or a comma-separated list of UIDs.`);
    }
    return { kind: 'uids', values };
  }
  if (vr === 'DA' || vr === 'TM') return parseRange(value, vr, key);
  if (vr === 'SQ')
    throw qidoBadRequest('QIDO_UNSUPPORTED_KEY', `Matching on the sequence "${key}" is not supported.`);
  if (vr === 'PN' && fuzzy) {
    const tokens = value.split(/[\^\s,=]+/).filter(Boolean);
    if (tokens.length === 0) return { kind: 'universal' };
    return { kind: 'fuzzy-name', tokens };
  }
  if (/[*?]/.test(value))
    return value.replace(/\*/g, '') === '' ? { kind: 'universal' } : { kind: 'wildcard', pattern: value };
  if ((vr === 'IS' || vr === 'US') && !/^[+-]?\d{1,10}$/.test(value)) {
    throw qidoBadRequest('QIDO_BAD_NUMBER', `"${key}" must be an integer.`);
  }
  return { kind: 'exact', value };
}

/** Keys that are written as one attribute but matched as another at a level (QIDO convention). */
const ALIASES: Partial<Record<QidoLevel, Record<TagHex, TagHex>>> = {
  study: { [T.Modality]: T.ModalitiesInStudy },
};

/**
 * Reads a QIDO-RS query string (PS3.18 8.3.4): matching keys by keyword or tag, includefield, limit, offset,
 * fuzzymatching. Anything malformed is a 400 with a stable code; values are never echoed back.
 */
export function parseQidoQuery(level: QidoLevel, params: Params): QidoQuery {
  const fuzzyRaw = single(params, 'fuzzymatching');
  if (fuzzyRaw !== undefined && fuzzyRaw !== 'true' && fuzzyRaw !== 'false') {
    throw qidoBadRequest('QIDO_BAD_FUZZY', '"fuzzymatching" must be true or false.');
  }
  const fuzzy = fuzzyRaw === 'true';
  const limit = integer(single(params, 'limit'), 'limit', 1) ?? DEFAULT_LIMIT;
  const offset = integer(single(params, 'offset'), 'offset', 0) ?? 0;

  let includeAll = false;
  const includeFields: TagHex[] = [];
  const rawInclude = params.includefield;
  for (const entry of (Array.isArray(rawInclude) ? rawInclude : rawInclude ? [rawInclude] : []).flatMap((s) =>
    s.split(','),
  )) {
    const name = entry.trim();
    if (name === '') continue;
    if (name === 'all') {
      includeAll = true;
      continue;
    }
    const tag = tagOf(name);
    if (!tag)
      throw qidoBadRequest(
        'QIDO_UNKNOWN_ATTRIBUTE',
        `includefield names an unknown attribute "${safeName(name)}".`,
      );
    includeFields.push(tag);
  }

  const filters: QidoFilter[] = [];
  const seen = new Set<TagHex>();
  for (const [key, raw] of Object.entries(params)) {
    if (RESERVED.has(key) || raw === undefined) continue;
    if (key.includes('.')) {
      throw qidoBadRequest(
        'QIDO_UNSUPPORTED_KEY',
        `Sequence matching ("${safeName(key)}") is not supported.`,
      );
    }
    const named = tagOf(key);
    if (!named) throw qidoBadRequest('QIDO_UNKNOWN_ATTRIBUTE', `Unknown query parameter "${safeName(key)}".`);
    const tag = ALIASES[level]?.[named] ?? named;
    if (seen.has(tag))
      throw qidoBadRequest('QIDO_REPEATED_PARAMETER', `The attribute "${safeName(key)}" may appear once.`);
    seen.add(tag);
    const value = Array.isArray(raw) ? raw : [raw];
    if (value.length !== 1)
      throw qidoBadRequest('QIDO_REPEATED_PARAMETER', `The parameter "${safeName(key)}" may appear once.`);
    const vr = vrOf(tag) ?? 'UN';
    const matcher = parseMatcher(vr, value[0]!, fuzzy, safeName(key));
    if (matcher.kind === 'universal') includeFields.push(tag);
    else filters.push({ tag, vr, matcher });
  }
  return { level, filters, includeAll, includeFields, limit: Math.min(limit, MAX_LIMIT), offset, fuzzy };
}

/** Parameter names go into error messages only when they look like a keyword or a tag. */
const safeName = (name: string) => (/^[A-Za-z0-9.]{1,64}$/.test(name) ? name : '(unprintable)');

/** True when the requested limit was above the maximum, so the response must say results were cut. */
export const limitWasClamped = (params: Params) => {
  const raw = params.limit;
  return typeof raw === 'string' && /^\d+$/.test(raw) && Number(raw) > MAX_LIMIT;
};
