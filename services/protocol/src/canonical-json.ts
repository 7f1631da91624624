// RFC 8785 JSON Canonicalization Scheme (JCS): the byte string both sides sign and verify.
// Numbers use ECMAScript Number-to-String (V8's JSON.stringify is exactly that for finite
// numbers), strings use ECMAScript JSON string quoting, object keys are sorted by UTF-16 code
// units (Array.prototype.sort's default comparison), and there is no whitespace.

export class CanonicalizationError extends Error {
  readonly code = 'CANONICALIZATION_FAILED';
}

// In a `u` regex a valid surrogate pair is one code point, so \p{Cs} only matches lone halves,
// which I-JSON (and therefore JCS) forbids.
const LONE_SURROGATE = /\p{Cs}/u;
// Characters JSON must escape, plus any surrogate: strings without them (ids, enum values,
// nearly every string in a message) are quoted as they are, without calling into JSON.stringify.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Canonical JSON text of a JSON value (I-JSON subset). Throws CanonicalizationError. */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError('non-finite number');
      // ECMAScript Number::toString, which is what RFC 8785 prescribes (and -0 gives "0").
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return canonicalArray(value);
      return canonicalObject(value as Record<string, unknown>);
    default:
      throw new CanonicalizationError(`${typeof value} is not a JSON value`);
  }
}

/** UTF-8 bytes of the canonical text: what gets signed. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

function canonicalString(s: string): string {
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) throw new CanonicalizationError('string with a lone surrogate');
  return JSON.stringify(s);
}

// Shape cache: messages repeat a few object shapes (same keys in the same order), and sorting and
// quoting their keys is most of the cost of canonicalizing small objects (profiled: ~2x faster
// with the cache). Property keys are internalized strings, so comparing a shape is cheap. Bounded,
// because keys of received messages are untrusted.
interface Shape {
  keys: string[];
  sorted: string[];
  /** `"key":` for each sorted key. */
  quoted: string[];
}
const shapesByFirstKey = new Map<string, Shape[]>();
let cachedShapes = 0;
const MAX_CACHED_SHAPES = 512;

function shapeOf(keys: string[]): Shape {
  const first = keys[0]!;
  const candidates = shapesByFirstKey.get(first);
  if (candidates !== undefined) {
    for (const shape of candidates) if (sameKeys(shape.keys, keys)) return shape;
  }
  const sorted = [...keys].sort();
  const shape = { keys, sorted, quoted: sorted.map((k) => `${canonicalString(k)}:`) };
  if (cachedShapes < MAX_CACHED_SHAPES) {
    cachedShapes++;
    if (candidates === undefined) shapesByFirstKey.set(first, [shape]);
    else candidates.push(shape);
  }
  return shape;
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function canonicalArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    // JSON.stringify would turn these into null, which a receiver would then sign differently.
    if (item === undefined) throw new CanonicalizationError('undefined array element');
    out += canonicalize(item);
  }
  return `${out}]`;
}

function canonicalObject(obj: Record<string, unknown>): string {
  const proto = Object.getPrototypeOf(obj);
  // Dates, Maps, class instances: their JSON form depends on toJSON/enumeration, so refuse them.
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalizationError('only plain objects are JSON objects');
  }
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  const { sorted, quoted } = shapeOf(keys);
  let out = '{';
  let first = true;
  for (let i = 0; i < sorted.length; i++) {
    const v = obj[sorted[i]!];
    // Absent optional fields: JSON.stringify drops them on the wire, so the receiver never sees them.
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quoted[i];
    out += canonicalize(v);
  }
  return `${out}}`;
}
