import type { Readable } from 'node:stream';
import { IngestError } from './errors.ts';

/** Reads a stream into one buffer, refusing (and draining nothing more) past `max` bytes. */
export async function readLimited(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > max) {
      stream.destroy();
      throw new IngestError('INSTANCE_TOO_LARGE', `an instance may be at most ${max} bytes`);
    }
    chunks.push(buf);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
