import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface Part {
  contentType: string;
  contentLocation?: string;
  /** The body as chunks, or a function that opens it (so parts are fetched one at a time, in order). */
  body: Uint8Array[] | (() => Promise<Readable | Uint8Array[]>);
}

/** A boundary that is random, or derived from a seed when the response must be byte-identical (strong ETags). */
export const boundaryOf = (seed?: string) =>
  seed
    ? `annex-${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`
    : `annex-${randomBytes(16).toString('hex')}`;

export const multipartContentType = (type: string, boundary: string, transferSyntax?: string) =>
  `multipart/related; type="${type}"; boundary=${boundary}${transferSyntax ? `; transfer-syntax=${transferSyntax}` : ''}`;

/** PS3.18 multipart/related body (RFC 2387), streamed part by part. */
export function multipartStream(parts: Part[], boundary: string): Readable {
  async function* generate() {
    for (const part of parts) {
      let head = `--${boundary}\r\nContent-Type: ${part.contentType}\r\n`;
      if (part.contentLocation) head += `Content-Location: ${part.contentLocation}\r\n`;
      yield Buffer.from(`${head}\r\n`);
      const body = typeof part.body === 'function' ? await part.body() : part.body;
      if (Array.isArray(body)) for (const chunk of body) yield chunk;
      else for await (const chunk of body) yield chunk as Buffer;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return Readable.from(generate(), { objectMode: false });
}

/** The same body in one buffer (frames: small, and a Content-Length lets clients preallocate). */
export function multipartBuffer(
  parts: Array<{ contentType: string; body: Uint8Array[] }>,
  boundary: string,
): Buffer {
  const out: Uint8Array[] = [];
  for (const part of parts) {
    out.push(Buffer.from(`--${boundary}\r\nContent-Type: ${part.contentType}\r\n\r\n`));
    out.push(...part.body);
    out.push(Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** Reads a multipart/related body back into parts (tests and the benchmark check what clients will parse). */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): Array<{ headers: Record<string, string>; body: Buffer }> {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error('no boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (headerEnd < 0 || next < 0) throw new Error('truncated multipart body');
    const headers: Record<string, string> = {};
    for (const line of body
      .subarray(start + 2, headerEnd)
      .toString()
      .split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: body.subarray(headerEnd + 4, next - 2) });
    at = next;
  }
  return parts;
}
