import { MONTH_NAMES as MONTHS } from '../dates/month-names.ts';
import type { PhiKind, PhiValues } from './phi-values.ts';

/** Compiled searches for a set of PHI values: used to verify outputs and to clean free text. */
export interface PhiMatchers {
  /** Kinds whose values occur in `text` (text of a value of VR `vr`); never returns the value itself. */
  find(text: string, vr: string): PhiKind[];
  /** `text` with every occurrence replaced by `***`. */
  redact(text: string): string;
  empty: boolean;
}

const TITLES = new Set([
  'MR',
  'MRS',
  'MS',
  'MISS',
  'DR',
  'PROF',
  'REV',
  'JR',
  'SR',
  'II',
  'III',
  'IV',
  'MD',
  'PHD',
  'ESQ',
]);

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NUM = (p: string) => `(?<![0-9])${p}(?![0-9])`;
/**
 * Letters and digits for word boundaries: ASCII, Latin-1/Extended, Greek, Cyrillic. Written as ranges without
 * the `u` flag on purpose: \p{L} under /iu made V8 spend ~100 ms compiling each new patient's expressions.
 */
const ALNUM = '0-9A-Za-z\\u00C0-\\u024F\\u0370-\\u03FF\\u0400-\\u04FF';
/** Marks a form that is only a part of a value (one name component, one address line): redacted after whole forms. */
const PART = '(?:)';
const WORD = (p: string) => `(?<![${ALNUM}])${p}(?![${ALNUM}])`;
/** Spaces in a value may be any run of whitespace or PN separators in the output. */
const flexSpaces = (s: string) => esc(s).replace(/\s+/g, '[\\s^]+');

export function dateForms(da: string): string[] {
  const y = da.slice(0, 4);
  const mm = da.slice(4, 6);
  const dd = da.slice(6, 8);
  const m = String(Number(mm));
  const d = String(Number(dd));
  const month = (MONTHS[Number(mm) - 1] ?? 'January').toLowerCase();
  const mon = month.slice(0, 3);
  const forms = [
    `${y}${mm}${dd}`,
    `${y}-${mm}-${dd}`,
    `${y}/${mm}/${dd}`,
    `${y}.${mm}.${dd}`,
    `${dd}/${mm}/${y}`,
    `${mm}/${dd}/${y}`,
    `${dd}.${mm}.${y}`,
    `${dd}-${mm}-${y}`,
    `${mm}-${dd}-${y}`,
    `${d}/${m}/${y}`,
    `${m}/${d}/${y}`,
  ];
  const words = [
    `${d} ${month} ${y}`,
    `${month} ${d}, ${y}`,
    `${month} ${d} ${y}`,
    `${d} ${mon} ${y}`,
    `${mon} ${d}, ${y}`,
    `${dd}-${mon}-${y}`,
    `${d}-${mon}-${y}`,
  ];
  return [...new Set(forms.map((f) => NUM(esc(f)))), ...words.map((w) => WORD(flexSpaces(w)))];
}

function nameForms(pn: string): string[] {
  const out: string[] = [];
  for (const group of pn.split('=')) {
    const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group
      .split('^')
      .map((c) => c.trim());
    const parts = [family, given, middle].filter(Boolean);
    if (parts.length === 0) continue;
    // Every order of the main components, with any separators: "Doe John", "John Doe", "DOE, JOHN Q".
    // Titles around the name go with it ("Mrs. Jane Q Doe Jr."), so cleaning leaves no fragment behind.
    const pre = prefix ? `(?:${esc(prefix)}[\\s^]+)?` : '';
    const post = suffix ? `(?:[\\s,^]+${esc(suffix)})?` : '';
    const orders = permutations(parts).map((p) => pre + p.map(esc).join('[\\s,^.]+') + post);
    out.push(...orders.map(WORD));
    if (prefix || suffix) out.push(WORD(esc(group)));
    // A component on its own, when long enough not to match ordinary words by chance.
    for (const c of [family, given, middle]) {
      if (c.length >= 3 && !TITLES.has(c.toUpperCase().replace(/\./g, '')))
        out.push(PART + WORD(flexSpaces(c)));
    }
  }
  return out;
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

function idForms(id: string): string[] {
  if (id.length < 3) return [];
  if (/^\d+$/.test(id)) return [NUM(esc(id))];
  return [id.length >= 6 ? esc(id) : WORD(esc(id))];
}

function phoneForms(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return [];
  // The local part (last 7 digits) with punctuation anywhere but inside the last four, which every usual
  // format writes together: "+1-555-123-4567" ~ "5551234567" ~ "123 4567".
  const tail = digits.slice(-7);
  return [NUM(`${tail.slice(0, 3).split('').join('[\\s().+/-]{0,3}')}[\\s().+/-]{0,3}${tail.slice(3)}`)];
}

function addressForms(address: string): string[] {
  const whole = address.trim();
  const parts = whole
    .split(/[\^,\n\r;]+/)
    .map((p) => p.trim())
    .filter((p) => p.length >= 6);
  return [
    ...(whole.length >= 4 ? [WORD(flexSpaces(whole))] : []),
    ...parts.map((p) => PART + WORD(flexSpaces(p))),
  ];
}

function textForms(s: string): string[] {
  const t = s.trim();
  if (t.length < 2) return [];
  return [WORD(flexSpaces(t))];
}

const FORMS: Record<PhiKind, (v: string) => string[]> = {
  names: nameForms,
  ids: idForms,
  dates: (d) => (/^\d{8}$/.test(d) ? dateForms(d) : textForms(d)),
  eventDates: (d) => (/^\d{8}$/.test(d) ? dateForms(d) : textForms(d)),
  addresses: addressForms,
  phones: phoneForms,
  uids: (u) => (u.length >= 8 ? [`(?<![0-9.])${esc(u)}(?![0-9])`] : []),
  institutions: textForms,
  devices: (d) => (d.length >= 3 ? [WORD(esc(d))] : []),
  other: textForms,
};

export function compilePhiMatchers(phi: PhiValues, kinds?: readonly PhiKind[]): PhiMatchers {
  return compile(phi, kinds);
}

/**
 * Lower-case literals of which every written form of a value contains at least one: a cheap literal
 * alternation that skips the expressions for the (usual) values that cannot match.
 */
function anchorsOf(kind: PhiKind, v: string): string[] {
  const firstWords = (xs: string[]) => xs.map((x) => x.trim().split(/\s+/)[0]!.toLowerCase()).filter(Boolean);
  switch (kind) {
    case 'names':
      return v
        .split(/[=^]/)
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean);
    case 'dates':
    case 'eventDates':
      return /^\d{8}$/.test(v) ? [v.slice(0, 4)] : firstWords([v]);
    case 'phones':
      return [v.replace(/\D/g, '').slice(-4)];
    case 'addresses':
      return firstWords([v, ...v.split(/[\^,\n\r;]+/)]);
    case 'ids':
    case 'uids':
      return [v.toLowerCase()];
    default:
      return firstWords([v]);
  }
}

interface Entry {
  kind: PhiKind;
  anchors: string[];
  patterns: string[];
  findRe?: RegExp;
  wholeRe?: RegExp | null;
  partsRe?: RegExp | null;
}

/** Entries are shared between objects: slices of one series differ only in a few UIDs. */
const entryCache = new Map<string, Entry>();
const ENTRY_CACHE_SIZE = 20_000;

function remember<K, V>(m: Map<K, V>, key: K, make: () => V, limit: number): V {
  let v = m.get(key);
  if (v === undefined) {
    v = make();
    m.set(key, v);
    if (m.size > limit) m.delete(m.keys().next().value!);
  }
  return v;
}

function entryFor(kind: PhiKind, v: string): Entry | undefined {
  const entry = remember(
    entryCache,
    `${kind}\u0000${v}`,
    () => {
      // Longest forms first: an alternation takes the first alternative that matches, so "Mrs. Jane Q Doe Jr."
      // goes whole before a shorter form could split it. Patterns and texts are matched lower-cased without
      // the `i` flag: case-folding the boundary classes made V8 spend milliseconds per new patient.
      const patterns = [...new Set(FORMS[kind](v.toLowerCase()))].sort((a, b) => b.length - a.length);
      return { kind, anchors: anchorsOf(kind, v), patterns };
    },
    ENTRY_CACHE_SIZE,
  );
  return entry.patterns.length ? entry : undefined;
}

interface Part {
  entries: Entry[];
  gate?: { test(text: string): boolean };
}
const partCache = new Map<string, Part>();

/**
 * The entries of some kinds of PHI and one literal gate over their anchors, cached by the values: instances of
 * a series share all but their UIDs, so the (larger) non-UID part is built once per patient and study.
 */
function partOf(kinds: readonly PhiKind[], phi: PhiValues): Part {
  const key = kinds.map((k) => `${k}\u0001${phi[k].join('\u0001')}`).join('\u0002');
  return remember(
    partCache,
    key,
    () => {
      const entries: Entry[] = [];
      for (const kind of kinds) {
        for (const v of new Set(phi[kind])) {
          const e = entryFor(kind, v);
          if (e) entries.push(e);
        }
      }
      const anchors = [...new Set(entries.flatMap((e) => e.anchors))].filter(Boolean);
      if (!anchors.length) return { entries };
      // A few anchors (an object's UIDs, new with every instance) are cheaper as `includes` than as a fresh
      // expression V8 would first run in its interpreter; many are cheaper as one compiled alternation.
      if (anchors.length <= 8)
        return { entries, gate: { test: (t: string) => anchors.some((a) => t.includes(a)) } };
      return { entries, gate: new RegExp(anchors.map(esc).join('|')) };
    },
    1024,
  );
}

/**
 * One entry per PHI value, its expressions compiled on first use: only values whose anchors occur in some
 * text ever cost a compile, which keeps the first object of a new patient cheap.
 */
function compile(phi: PhiValues, kinds?: readonly PhiKind[]): PhiMatchers {
  const all = kinds ?? (Object.keys(FORMS) as PhiKind[]);
  // UIDs change with every instance; the other values are the patient's and study's.
  const other = partOf(
    all.filter((k) => k !== 'uids'),
    phi,
  );
  const uid = all.includes('uids') ? partOf(['uids'], phi) : { entries: [] };
  const entries = [...other.entries, ...uid.entries];
  const uidEntries = uid.entries;
  const uidGate = uid.gate;
  const anyGate = { test: (t: string) => !!(other.gate?.test(t) || uidGate?.test(t)) };
  const hit = (e: Entry, lower: string) => e.anchors.some((a) => lower.includes(a));
  const regex = (list: string[], flags: string) => (list.length ? new RegExp(list.join('|'), flags) : null);
  return {
    empty: entries.length === 0,
    find(text, vr) {
      // Phone digits and IDs inside UIDs would be coincidences of the hash; UIDs are matched as UIDs.
      const list = vr === 'UI' ? uidEntries : entries;
      const lower = text.toLowerCase();
      if (!(vr === 'UI' ? uidGate?.test(lower) : anyGate.test(lower))) return [];
      const hits = new Set<PhiKind>();
      for (const e of list) {
        if (hits.has(e.kind) || !hit(e, lower)) continue;
        e.findRe ??= new RegExp(e.patterns.join('|'));
        if (e.findRe.test(lower)) hits.add(e.kind);
      }
      return [...hits];
    },
    redact(text) {
      if (!anyGate.test(text.toLowerCase())) return text;
      // Whole forms of every value first, then single parts ("Doe", one address line): a part must not split
      // another value's whole form and leave fragments (titles) behind.
      let out = text;
      for (const pass of ['whole', 'parts'] as const) {
        for (const e of entries) {
          const lower = out.toLowerCase();
          if (!hit(e, lower)) continue;
          const key = pass === 'whole' ? 'wholeRe' : 'partsRe';
          if (e[key] === undefined) {
            e[key] = regex(
              e.patterns.filter((p) => p.startsWith(PART) === (pass === 'parts')),
              'g',
            );
          }
          const re = e[key];
          if (re) out = replaceLowered(out, lower, re);
        }
      }
      return out;
    },
  };
}

/** Replaces what `re` finds in the lower-cased text at the same positions of the original text. */
function replaceLowered(text: string, lower: string, re: RegExp): string {
  if (lower.length !== text.length) {
    // Lower-casing changed the length (a rare character such as U+0130): match case-insensitively instead.
    return text.replace(new RegExp(re.source, 'gi'), '***');
  }
  let out = '';
  let at = 0;
  re.lastIndex = 0;
  for (let m = re.exec(lower); m; m = re.exec(lower)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out += `${text.slice(at, m.index)}***`;
    at = m.index + m[0].length;
  }
  return out + text.slice(at);
}
