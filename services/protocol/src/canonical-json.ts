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

/** Canonical JSON text of a JSON value (I-JSON subset). Throws CanonicalizationError. */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError('non-finite number');
      return JSON.stringify(value);
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
  if (LONE_SURROGATE.test(s)) throw new CanonicalizationError('string with a lone surrogate');
  return JSON.stringify(s);
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
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = obj[key];
    // Absent optional fields: JSON.stringify drops them on the wire, so the receiver never sees them.
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += canonicalString(key);
    out += ':';
    out += canonicalize(v);
  }
  return `${out}}`;
}
