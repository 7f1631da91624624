import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UploadError } from './errors.ts';

export const UPLOAD_TMP_DIR = path.join(tmpdir(), 'annex-uploads');

/** Counts bytes on the way to disk and stops the request once it passes the limit. */
async function* limited(source: AsyncIterable<Buffer>, max: number, onBytes: (n: number) => void) {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw new UploadError('PAYLOAD_TOO_LARGE', `An upload may be at most ${max} bytes.`);
    onBytes(total);
    yield chunk;
  }
}

/** Streams a request body to a fresh temp file (never held in memory); returns its path and size. */
export async function receiveToTempFile(
  body: Readable,
  max: number,
): Promise<{ path: string; size: number }> {
  await mkdir(UPLOAD_TMP_DIR, { recursive: true, mode: 0o700 });
  const file = path.join(UPLOAD_TMP_DIR, `${randomUUID()}.part`);
  let size = 0;
  try {
    await pipeline(
      limited(body as AsyncIterable<Buffer>, max, (n) => {
        size = n;
      }),
      createWriteStream(file, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(file, { force: true });
    body.resume();
    throw error;
  }
  return { path: file, size };
}

export type SniffedKind = 'zip' | 'dicom' | 'unknown';

/** Zip by its local header magic, DICOM by "DICM" at 128; anything else is handed to ingest as is. */
export async function sniff(file: string): Promise<SniffedKind> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(132);
    const { bytesRead } = await handle.read(head, 0, 132, 0);
    if (bytesRead >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05))
      return 'zip';
    if (bytesRead >= 132 && head.toString('latin1', 128, 132) === 'DICM') return 'dicom';
    return 'unknown';
  } finally {
    await handle.close();
  }
}

/** Temp files of uploads a crashed process never finished. */
export async function removeStaleTempFiles(olderThanMs: number): Promise<number> {
  let removed = 0;
  const names = await readdir(UPLOAD_TMP_DIR).catch(() => [] as string[]);
  for (const name of names) {
    const file = path.join(UPLOAD_TMP_DIR, name);
    const info = await stat(file).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > olderThanMs) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
