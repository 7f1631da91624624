import type { Readable } from 'node:stream';
import { AppError } from '@annex/platform';

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

export interface MultipartLimits {
  /** Largest single part (one DICOM instance). */
  maxPartBytes: number;
  /** Largest whole request body. */
  maxTotalBytes: number;
  maxHeaderBytes?: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

const malformed = (message: string) => new AppError('MULTIPART_MALFORMED', 400, message);

/** The parameters of a Content-Type header, lower-cased names, quotes removed. */
export function contentTypeParams(header: string | undefined): {
  type: string;
  params: Record<string, string>;
} {
  const [type = '', ...rest] = (header ?? '').split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    let value = param.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params[name] = value;
  }
  return { type: type.trim().toLowerCase(), params };
}

function parseHeaders(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Streaming multipart/related (RFC 2387 / RFC 2046) reader: yields one part at a time, so a
 * request of many instances never sits in memory whole; only the current part does. Busboy
 * handles multipart/form-data only. Scans each byte once (the search resumes where it stopped).
 */
export async function* readMultipartRelated(
  stream: Readable,
  boundary: string,
  limits: MultipartLimits,
): AsyncGenerator<MultipartPart> {
  if (!boundary || boundary.length > 70)
    throw malformed('the multipart boundary is missing or longer than 70 characters');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
  // A leading CRLF makes the first boundary look like every other one.
  let buffer: Buffer = Buffer.from(CRLF);
  let total = 0;
  type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let state = 'preamble' as State;
  let headers: Record<string, string> = {};
  let bodyChunks: Buffer[] = [];
  let bodySize = 0;
  let searchFrom = 0;

  const takeBody = (upTo: number) => {
    if (upTo <= 0) return;
    bodySize += upTo;
    if (bodySize > limits.maxPartBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `a part may be at most ${limits.maxPartBytes} bytes`);
    }
    bodyChunks.push(buffer.subarray(0, upTo));
    buffer = buffer.subarray(upTo);
  };

  const iterator = stream[Symbol.asyncIterator]();
  let ended = false;
  for (;;) {
    // Process what is buffered as far as it goes.
    let progressed = true;
    while (progressed && state !== 'done') {
      progressed = false;
      if (state === 'preamble' || state === 'body') {
        const at = buffer.indexOf(delimiter, searchFrom);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter; the rest is body (or preamble).
          const keep = Math.min(buffer.length, delimiter.length - 1);
          if (state === 'body') takeBody(buffer.length - keep);
          else buffer = buffer.subarray(buffer.length - keep);
          searchFrom = 0;
          break;
        }
        if (state === 'body') {
          takeBody(at);
          const body = bodyChunks.length === 1 ? bodyChunks[0]! : Buffer.concat(bodyChunks, bodySize);
          bodyChunks = [];
          bodySize = 0;
          buffer = buffer.subarray(delimiter.length);
          state = 'after-delimiter';
          yield { headers, body };
        } else {
          buffer = buffer.subarray(at + delimiter.length);
          state = 'after-delimiter';
        }
        searchFrom = 0;
        progressed = true;
      } else if (state === 'after-delimiter') {
        if (buffer.length < 2) break;
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = 'done';
          break;
        }
        const eol = buffer.indexOf(CRLF);
        if (eol < 0) {
          if (buffer.length > 1024) throw malformed('a boundary line does not end');
          break;
        }
        // Transport padding (RFC 2046 5.1.1) may follow the boundary before its CRLF.
        if (buffer.subarray(0, eol).toString('latin1').trim() !== '')
          throw malformed('unexpected text after a boundary');
        buffer = buffer.subarray(eol);
        state = 'headers';
        progressed = true;
      } else if (state === 'headers') {
        // Headers start right after the boundary's CRLF; an empty header block is CRLF CRLF.
        const end = buffer.indexOf(HEADER_END);
        if (end < 0) {
          if (buffer.length > maxHeaderBytes) throw malformed('part headers are too long');
          break;
        }
        headers = parseHeaders(buffer.subarray(2, end));
        buffer = buffer.subarray(end + HEADER_END.length);
        state = 'body';
        searchFrom = 0;
        progressed = true;
      }
    }
    if (state === 'done') {
      // Drain the epilogue so the client sees its request fully read.
      if (!ended) for (let r = await iterator.next(); !r.done; r = await iterator.next());
      return;
    }
    if (ended) throw malformed('the body ends before the closing boundary');
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      continue;
    }
    const chunk = next.value as Buffer;
    total += chunk.length;
    if (total > limits.maxTotalBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `a request may be at most ${limits.maxTotalBytes} bytes`);
    }
    if (state === 'preamble' || state === 'body')
      searchFrom = Math.max(0, buffer.length - delimiter.length + 1);
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
  }
}
