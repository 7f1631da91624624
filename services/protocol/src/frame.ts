import type { AnyEnvelope, Envelope } from './envelope.ts';
import { type Rejection, reject } from './reject-reason.ts';

/** Largest accepted wire frame. The largest legitimate message (1000 series) is ~250 KiB. */
export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024;

export type ParsedFrame = { ok: true; value: unknown } | Rejection;

/** Wire text → JSON value, bounded in size. The result still has to go through verifyEnvelope. */
export function parseFrame(data: string | Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): ParsedFrame {
  const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
  if (size > maxBytes) return reject('SCHEMA_INVALID', `frame of ${size} bytes exceeds ${maxBytes}`);
  try {
    const text =
      typeof data === 'string'
        ? data
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return reject('SCHEMA_INVALID', 'frame is not JSON');
  }
}

/** Any JSON text of the envelope will do: the receiver re-canonicalizes before verifying. */
export function encodeFrame(envelope: AnyEnvelope | Envelope): string {
  return JSON.stringify(envelope);
}
