import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { IngestContext } from '../ingest/context.ts';
import { IngestError } from '../ingest/errors.ts';
import { readLimited } from '../ingest/read-limited.ts';
import { ingestInstance } from '../ingest/service.ts';
import { sanitizedBasename } from './file-name.ts';
import type { FileOutcome, UploadRepository } from './repository.ts';
import type { CheckedZip } from './zip-archive.ts';

export interface UploadJob {
  uploadId: string;
  tempPath: string;
  projectId: string | undefined;
  /** A checked zip, or the single DICOM file at tempPath. */
  zip: CheckedZip | undefined;
  fileName: string;
  /** Aborted at the shutdown deadline: processing stops between files and the upload is INTERRUPTED. */
  cut?: AbortSignal;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

async function ingestOne(ctx: IngestContext, source: Buffer | Readable, projectId: string | undefined) {
  try {
    const buf = Buffer.isBuffer(source) ? source : await readLimited(source, ctx.instanceMaxBytes);
    // Nested archives are not followed: one level of zip is what the caps were checked for.
    if (buf.subarray(0, 4).equals(ZIP_MAGIC))
      return { outcome: 'NESTED_ARCHIVE_SKIPPED', kind: 'failed' as const, size: buf.length };
    const result = await ingestInstance(ctx, buf, { via: 'upload', ...(projectId ? { projectId } : {}) });
    return {
      outcome: result.status.toUpperCase(),
      kind: result.status as FileOutcome,
      size: buf.length,
      instanceId: result.instanceId,
    };
  } catch (error) {
    if (error instanceof IngestError) return { outcome: error.code, kind: 'failed' as const, size: null };
    // yauzl reports a corrupt entry or a size that is not what the directory declared.
    if (
      error instanceof Error &&
      /invalid|too many bytes|too few bytes|unexpected|zlib|inflate/i.test(error.message)
    ) {
      return { outcome: 'ZIP_ENTRY_CORRUPT', kind: 'failed' as const, size: null };
    }
    throw error;
  }
}

/**
 * Ingests an upload's files one at a time (one entry in memory at a most), recording each file's
 * outcome and the counters as it goes so GET /api/uploads/{id} shows progress. Always removes the
 * temp file. Each file is whole or absent; a cut leaves the upload INTERRUPTED, to be sent again.
 */
export async function processUpload(
  ctx: IngestContext,
  uploads: UploadRepository,
  job: UploadJob,
): Promise<void> {
  try {
    await uploads.update(job.uploadId, { status: 'processing' });
    if (job.zip) {
      for (const entry of job.zip.entries) {
        job.cut?.throwIfAborted();
        const name = sanitizedBasename(entry.fileName);
        let result: Awaited<ReturnType<typeof ingestOne>>;
        if (entry.encrypted) result = { outcome: 'ZIP_ENTRY_ENCRYPTED', kind: 'failed', size: null };
        else if (entry.uncompressedSize > ctx.instanceMaxBytes)
          result = { outcome: 'INSTANCE_TOO_LARGE', kind: 'failed', size: null };
        else {
          const stream = await job.zip.openEntry(entry).catch(() => undefined);
          result = stream
            ? await ingestOne(ctx, stream, job.projectId)
            : { outcome: 'ZIP_ENTRY_CORRUPT', kind: 'failed', size: null };
        }
        await uploads.recordFile(
          job.uploadId,
          {
            entryIndex: entry.index,
            name,
            size: result.size,
            outcome: result.outcome,
            instanceRef: result.instanceId ?? null,
          },
          result.kind,
        );
      }
    } else {
      const { createReadStream } = await import('node:fs');
      const result = await ingestOne(ctx, createReadStream(job.tempPath), job.projectId);
      await uploads.recordFile(
        job.uploadId,
        {
          entryIndex: 0,
          name: sanitizedBasename(job.fileName),
          size: result.size,
          outcome: result.outcome,
          instanceRef: result.instanceId ?? null,
        },
        result.kind,
      );
    }
    await uploads.update(job.uploadId, { status: 'done' });
  } catch (error) {
    if (job.cut?.aborted)
      ctx.log.warn({ uploadId: job.uploadId }, 'upload processing cut at the shutdown deadline');
    else ctx.log.error({ err: error, uploadId: job.uploadId }, 'upload processing failed');
    await uploads.update(job.uploadId, { status: 'failed', errorCode: 'INTERRUPTED' }).catch(() => undefined);
  } finally {
    job.zip?.close();
    await rm(job.tempPath, { force: true });
  }
}
