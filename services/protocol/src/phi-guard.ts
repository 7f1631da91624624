import { MODALITIES } from './dicom-attributes.ts';
import { PSEUDONYM_PATTERN } from './ids.ts';
import { type BodyOf, isMessageType, MESSAGE_TYPES, MESSAGES, type MessageType } from './message-registry.ts';
import { COMMAND_TYPES } from './messages/command-result.ts';
import { CONSENSUS_METHODS } from './messages/labelset-finalized.ts';
import { TASK_STATUSES } from './messages/task-upserted.ts';
import { METRIC_NAMES } from './metrics.ts';
import { describeIssues } from './schema-issues.ts';

// The sender's last check before a message is written to the outbox (DESIGN.md rule 3): the body
// must validate, and none of the source study's PHI values (the "canaries") may occur in it.
//
// Matching works on the validated body's leaves (strings, and numbers as text). Because the schema
// is strict, every key and every enum value is fixed by this package and carries no PHI, so
// leaf values are exactly the part of the serialized message that could; searching the raw JSON
// text instead would flag patients called "Series" or "Count" on the schema's own field names.
//
// Length rules, to keep false positives (a permanently unsendable message) improbable:
// - variants shorter than 3 characters are ignored (they would match almost anything);
// - 3 to 5 characters must match a whole token (not preceded or followed by a letter or digit),
//   and are not searched inside pseudonyms, whose random base64url text would match by chance;
// - 6 characters and more match anywhere, pseudonyms included (a raw MRN pasted into an id);
// - each component of a person name ("SMITHSON" of "SMITHSON^ANNA") of 4 characters or more
//   is matched as a whole token too. A family name that is also a label slug ("long") makes such
//   a message unsendable: a refusal, which is the safe way to be wrong.
export const MIN_NAME_COMPONENT_LENGTH = 4;

export const MIN_CANARY_LENGTH = 3;
const SUBSTRING_MIN_LENGTH = 6;

// Whole leaf values that are protocol words (enum members), not data: a patient called
// "STAPLE^JOHN" must not make every 'staple' label set unsendable. A new enum missing here only
// costs false refusals, never a leak.
const PROTOCOL_VOCABULARY: ReadonlySet<string> = new Set(
  [
    ...MODALITIES,
    ...TASK_STATUSES,
    ...CONSENSUS_METHODS,
    ...COMMAND_TYPES,
    ...METRIC_NAMES,
    ...MESSAGE_TYPES,
    'applied',
    'failed',
    'accept-consensus',
    'accept-annotator',
    'rework',
    'escalate',
  ].map((w) => w.toLowerCase()),
);

export interface GuardOptions {
  /** PHI values of the source: patient name(s), ids, birth date, accession number, other ids… */
  canaries: readonly string[];
}

export type GuardResult<T extends MessageType> =
  | { ok: true; body: BodyOf<T>; ignoredCanaries: number }
  | {
      ok: false;
      reason: 'SCHEMA_INVALID' | 'PHI_CANARY';
      /** Field path of the offending value (e.g. "series.2.seriesId"); never the value. */
      path: string;
      detail: string;
    };

interface Matcher {
  canaryIndex: number;
  test: (leafLower: string, isPseudonym: boolean) => boolean;
}

/** Checks one outgoing body: schema first, then the canaries. */
export function guardOutgoing<T extends MessageType>(
  type: T,
  body: unknown,
  options: GuardOptions,
): GuardResult<T> {
  return createPhiGuard(options)(type, body);
}

/**
 * Compiles the canaries of one source study once, for a sender that writes several messages about
 * it (study.available, then task messages): the matchers are built here, not per message.
 */
export function createPhiGuard(
  options: GuardOptions,
): <T extends MessageType>(type: T, body: unknown) => GuardResult<T> {
  const { matchers, ignored } = buildMatchers(options.canaries);
  return <T extends MessageType>(type: T, body: unknown): GuardResult<T> => {
    if (!isMessageType(type)) {
      return { ok: false, reason: 'SCHEMA_INVALID', path: '(type)', detail: 'unknown message type' };
    }
    const parsed = MESSAGES[type].body.safeParse(body);
    if (!parsed.success) {
      return {
        ok: false,
        reason: 'SCHEMA_INVALID',
        path: '(body)',
        detail: describeIssues(parsed.error, 'body'),
      };
    }
    const hit = findLeaf(parsed.data, [], matchers);
    if (hit) {
      return {
        ok: false,
        reason: 'PHI_CANARY',
        path: hit.path,
        detail: `canary #${hit.canaryIndex} found in ${type} at ${hit.path}`,
      };
    }
    return { ok: true, body: parsed.data as BodyOf<T>, ignoredCanaries: ignored };
  };
}

/** The spellings a PHI value may take once it left DICOM, lower-cased. */
export function canaryVariants(canary: string): string[] {
  const base = canary.trim().toLowerCase();
  if (base === '') return [];
  const variants = new Set([base]);
  if (base.includes('^')) {
    // PN components: "DOE^JOHN^^DR" is written "doe john dr" outside DICOM.
    variants.add(base.replace(/\^+/g, ' ').replace(/\s+/g, ' ').trim());
    variants.add(base.replace(/\^+$/, ''));
  }
  for (const d of dateSpellings(base)) variants.add(d);
  return [...variants].filter((v) => v !== '');
}

function dateSpellings(value: string): string[] {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (!m) return [];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return [];
  const m1 = String(month);
  const d1 = String(day);
  return [
    `${y}${mo}${d}`,
    `${y}-${mo}-${d}`,
    `${y}/${mo}/${d}`,
    `${y}.${mo}.${d}`,
    `${d}.${mo}.${y}`,
    `${d}/${mo}/${y}`,
    `${d}-${mo}-${y}`,
    `${mo}/${d}/${y}`,
    `${mo}-${d}-${y}`,
    `${d1}.${m1}.${y}`,
    `${d1}/${m1}/${y}`,
    `${m1}/${d1}/${y}`,
  ];
}

interface Variant {
  text: string;
  /** Whole-token match only (short values and single name components). */
  token: boolean;
}

function variantsOf(canary: string): Variant[] {
  const out: Variant[] = canaryVariants(canary)
    .filter((v) => v.length >= MIN_CANARY_LENGTH)
    .map((text) => ({ text, token: text.length < SUBSTRING_MIN_LENGTH }));
  if (canary.includes('^')) {
    for (const part of canary.toLowerCase().split(/[\^\s]+/)) {
      if (part.length >= MIN_NAME_COMPONENT_LENGTH) out.push({ text: part, token: true });
    }
  }
  return out;
}

function buildMatchers(canaries: readonly string[]): { matchers: Matcher[]; ignored: number } {
  const matchers: Matcher[] = [];
  let ignored = 0;
  canaries.forEach((canary, canaryIndex) => {
    const variants = variantsOf(canary);
    if (variants.length === 0) ignored++;
    for (const { text: variant, token } of variants) {
      if (!token) {
        matchers.push({ canaryIndex, test: (leaf) => leaf.includes(variant) });
      } else {
        const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(variant)}(?![\\p{L}\\p{N}])`, 'u');
        matchers.push({ canaryIndex, test: (leaf, isPseudonym) => !isPseudonym && re.test(leaf) });
      }
    }
  });
  return { matchers, ignored };
}

function findLeaf(
  value: unknown,
  path: (string | number)[],
  matchers: Matcher[],
): { path: string; canaryIndex: number } | null {
  if (typeof value === 'string' || typeof value === 'number') {
    const leaf = String(value).toLowerCase();
    if (PROTOCOL_VOCABULARY.has(leaf)) return null;
    const isPseudonym = typeof value === 'string' && PSEUDONYM_PATTERN.test(value);
    for (const m of matchers) {
      if (m.test(leaf, isPseudonym)) return { path: path.join('.') || '(root)', canaryIndex: m.canaryIndex };
    }
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findLeaf(value[i], [...path, i], matchers);
      if (hit) return hit;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const hit = findLeaf(v, [...path, k], matchers);
      if (hit) return hit;
    }
  }
  return null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
