/** One media range of an Accept header: `multipart/related; type="application/octet-stream"; transfer-syntax=*`. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

/** Splits on commas outside quotes, parses parameters, drops q=0, orders by q (stable for equal q). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === '') return [{ type: '*/*', params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of header.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [typePart, ...paramParts] = part.match(/(?:[^;"]|"[^"]*")+/g) ?? [];
    const type = typePart?.trim().toLowerCase();
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 1;
      else params[key] = key === 'type' ? value.toLowerCase() : value;
    }
    if (q > 0) ranges.push({ type, params, q });
  }
  return ranges
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.q - a.r.q || a.i - b.i)
    .map(({ r }) => r);
}

export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_VR_LE = '1.2.840.10008.1.2';

/** The single-frame media type of a compressed transfer syntax (PS3.18 Table 8.7.3-2/3). */
export function frameMediaTypeOf(ts: string): string | undefined {
  if (ts === '1.2.840.10008.1.2.5') return 'image/dicom-rle';
  if (
    [
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.4.51',
      '1.2.840.10008.1.2.4.57',
      '1.2.840.10008.1.2.4.70',
    ].includes(ts)
  ) {
    return 'image/jpeg';
  }
  if (ts === '1.2.840.10008.1.2.4.80' || ts === '1.2.840.10008.1.2.4.81') return 'image/jls';
  if (ts === '1.2.840.10008.1.2.4.90' || ts === '1.2.840.10008.1.2.4.91') return 'image/jp2';
  if (ts.startsWith('1.2.840.10008.1.2.4.20')) return 'image/jphc';
  if (ts === '1.2.840.10008.1.2.4.100' || ts === '1.2.840.10008.1.2.4.102') return 'video/mpeg';
  return undefined;
}

export interface FrameChoice {
  multipart: boolean;
  /** The part's (or body's) media type. */
  mediaType: string;
  /** The transfer syntax the frame bytes are in. */
  transferSyntax: string;
  /** Native little-endian pixels must be produced from compressed stored bytes. */
  decode: boolean;
}

const isNativeLe = (ts: string) => ts === EXPLICIT_VR_LE || ts === IMPLICIT_VR_LE;

/**
 * Content negotiation for /frames (PS3.18 8.7.3.5): the stored syntax as stored (no server-side recompression),
 * or uncompressed octet-stream when stored native or when `canDecode` says the stored syntax can be decoded.
 */
export function chooseFrameRepresentation(
  accept: string | undefined,
  storedTs: string,
  canDecode: boolean,
): FrameChoice | undefined {
  const storedNative = isNativeLe(storedTs);
  const storedMedia = frameMediaTypeOf(storedTs);
  for (const range of parseAccept(accept)) {
    const multipart = range.type === 'multipart/related' || range.type === 'multipart/*';
    const inner = multipart ? (range.params.type ?? 'application/octet-stream') : range.type;
    if (
      !multipart &&
      range.type !== 'application/octet-stream' &&
      range.type !== '*/*' &&
      !range.type.startsWith('image/')
    )
      continue;
    const ts = range.params['transfer-syntax'];
    const asStored = {
      multipart,
      mediaType: storedNative ? 'application/octet-stream' : (storedMedia ?? 'application/octet-stream'),
      transferSyntax: storedNative ? EXPLICIT_VR_LE : storedTs,
      decode: false,
    };
    if (inner === '*/*' || inner === '*')
      return { ...asStored, multipart: multipart || range.type === '*/*' };
    if (inner === 'application/octet-stream') {
      if (ts === '*') return { ...asStored, mediaType: 'application/octet-stream' };
      if (ts === undefined || ts === EXPLICIT_VR_LE || ts === IMPLICIT_VR_LE) {
        if (storedNative)
          return { multipart, mediaType: inner, transferSyntax: EXPLICIT_VR_LE, decode: false };
        if (canDecode) return { multipart, mediaType: inner, transferSyntax: EXPLICIT_VR_LE, decode: true };
        continue;
      }
      if (ts === storedTs) return { ...asStored, mediaType: 'application/octet-stream' };
      continue;
    }
    if (storedMedia && inner === storedMedia) {
      if (ts === undefined || ts === '*' || ts === storedTs) return asStored;
    }
  }
  return undefined;
}

export type InstanceChoice = { multipart: boolean } | undefined;

/** /studies/…/instances retrieve: application/dicom as stored; a request for another syntax is not served. */
export function chooseInstanceRepresentation(
  accept: string | undefined,
  storedTs: string[],
  single: boolean,
): InstanceChoice {
  for (const range of parseAccept(accept)) {
    const multipart = range.type === 'multipart/related' || range.type === 'multipart/*';
    const inner = multipart ? (range.params.type ?? 'application/dicom') : range.type;
    if (range.type === '*/*') return { multipart: true };
    if (inner !== 'application/dicom' && inner !== '*/*') continue;
    if (!multipart && !single) continue;
    const ts = range.params['transfer-syntax'];
    if (ts === undefined || ts === '*' || storedTs.every((s) => s === ts)) return { multipart };
  }
  return undefined;
}

/** Metadata and QIDO: DICOM JSON. */
export function acceptsDicomJson(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) =>
    ['application/dicom+json', 'application/json', '*/*', 'application/*'].includes(r.type),
  );
}

/** /rendered: JPEG (the standard's default), PNG. */
export function chooseRenderedType(accept: string | undefined): 'image/jpeg' | 'image/png' | undefined {
  for (const r of parseAccept(accept)) {
    if (r.type === 'image/jpeg' || r.type === 'image/png') return r.type;
    if (r.type === '*/*' || r.type === 'image/*') return 'image/jpeg';
  }
  return undefined;
}
