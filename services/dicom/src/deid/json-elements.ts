import type { DElement } from './binary/element.ts';
import { decodeText, encodeText } from './text-values.ts';

/** One attribute in PS3.18 Annex F DICOM JSON (the WADO-RS /metadata form). */
export interface JsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type JsonDataset = Record<string, JsonElement>;

const BINARY_NUMBER: Record<
  string,
  [number, (b: Buffer, v: number, o: number) => void, (b: Buffer, o: number) => number]
> = {
  US: [2, (b, v, o) => b.writeUInt16LE(v, o), (b, o) => b.readUInt16LE(o)],
  SS: [2, (b, v, o) => b.writeInt16LE(v, o), (b, o) => b.readInt16LE(o)],
  UL: [4, (b, v, o) => b.writeUInt32LE(v, o), (b, o) => b.readUInt32LE(o)],
  SL: [4, (b, v, o) => b.writeInt32LE(v, o), (b, o) => b.readInt32LE(o)],
  FL: [4, (b, v, o) => b.writeFloatLE(v, o), (b, o) => b.readFloatLE(o)],
  FD: [8, (b, v, o) => b.writeDoubleLE(v, o), (b, o) => b.readDoubleLE(o)],
};
const NUMERIC_STRING = new Set(['IS', 'DS']);

/**
 * DICOM JSON -> engine elements (UTF-8 text), keeping BulkDataURIs aside: an element the engine keeps as is
 * gets its URI back; one it replaces or removes loses it.
 */
export function jsonToElements(ds: JsonDataset, bulk: WeakMap<DElement, string>): DElement[] {
  const out: DElement[] = [];
  for (const [key, j] of Object.entries(ds)) {
    if (!/^[0-9A-Fa-f]{8}$/.test(key)) continue;
    const tag = Number.parseInt(key, 16) >>> 0;
    const vr = j.vr;
    if (vr === 'SQ') {
      const items = (j.Value ?? []).map((item) => jsonToElements(item as JsonDataset, bulk));
      out.push({ tag, vr, items });
      continue;
    }
    const e: DElement = { tag, vr, value: valueBytes(vr, j) };
    if (j.BulkDataURI) bulk.set(e, j.BulkDataURI);
    out.push(e);
  }
  return out.sort((a, b) => a.tag - b.tag);
}

function valueBytes(vr: string, j: JsonElement): Uint8Array {
  if (j.InlineBinary) return Buffer.from(j.InlineBinary, 'base64');
  const values = j.Value ?? [];
  const num = BINARY_NUMBER[vr];
  if (num) {
    const b = Buffer.alloc(num[0] * values.length);
    values.forEach((v, i) => {
      num[1](b, Number(v), i * num[0]);
    });
    return b;
  }
  if (vr === 'AT') {
    const b = Buffer.alloc(4 * values.length);
    values.forEach((v, i) => {
      const t = Number.parseInt(String(v), 16);
      b.writeUInt16LE(t >>> 16, i * 4);
      b.writeUInt16LE(t & 0xffff, i * 4 + 2);
    });
    return b;
  }
  const strings = values.map((v) => {
    if (v === null || v === undefined) return '';
    if (vr === 'PN' && typeof v === 'object') {
      const p = v as Record<string, string>;
      return [p.Alphabetic ?? '', p.Ideographic ?? '', p.Phonetic ?? ''].join('=').replace(/=+$/, '');
    }
    return String(v);
  });
  return encodeText(vr, strings.join('\\'), 'utf8');
}

export function elementsToJson(elements: DElement[], bulk: WeakMap<DElement, string>): JsonDataset {
  const out: JsonDataset = {};
  for (const e of elements) {
    const key = e.tag.toString(16).toUpperCase().padStart(8, '0');
    if (e.items) {
      out[key] = e.items.length
        ? { vr: 'SQ', Value: e.items.map((i) => elementsToJson(i, bulk)) }
        : { vr: 'SQ' };
      continue;
    }
    const uri = bulk.get(e);
    if (uri) {
      out[key] = { vr: e.vr, BulkDataURI: uri };
      continue;
    }
    const v = e.value ?? new Uint8Array(0);
    if (v.length === 0) {
      out[key] = { vr: e.vr };
      continue;
    }
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const num = BINARY_NUMBER[e.vr];
    if (num) {
      const values: number[] = [];
      for (let o = 0; o + num[0] <= b.length; o += num[0]) values.push(num[2](b, o));
      out[key] = { vr: e.vr, Value: values };
    } else if (e.vr === 'AT') {
      const values: string[] = [];
      for (let o = 0; o + 4 <= b.length; o += 4) {
        values.push(
          ((b.readUInt16LE(o) << 16) | b.readUInt16LE(o + 2)).toString(16).toUpperCase().padStart(8, '0'),
        );
      }
      out[key] = { vr: 'AT', Value: values };
    } else if (['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN'].includes(e.vr)) {
      out[key] = { vr: e.vr, InlineBinary: b.toString('base64') };
    } else {
      const parts = decodeText(v, 'utf8').split('\\');
      const values = parts.map((s): unknown => {
        if (e.vr === 'PN') {
          const [a, i, p] = s.split('=');
          const pn: Record<string, string> = {};
          if (a) pn.Alphabetic = a;
          if (i) pn.Ideographic = i;
          if (p) pn.Phonetic = p;
          return Object.keys(pn).length ? pn : null;
        }
        if (NUMERIC_STRING.has(e.vr)) return s.trim() === '' ? null : Number(s);
        return e.vr === 'UI' ? s.replace(/\0+$/, '') : s;
      });
      out[key] = { vr: e.vr, Value: values };
    }
  }
  return out;
}
