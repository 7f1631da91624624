import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DicomParseError, type ParsedInstance, parseInstance } from '@annex/dicom';
import { newInstanceKey } from '../../storage/object-key.ts';
import type { IngestContext } from './context.ts';
import { IngestError, type IngestErrorCode } from './errors.ts';
import { indexRecordOf } from './index-record.ts';
import type { Door } from './metrics.ts';
import { readLimited } from './read-limited.ts';
import type { IndexResult } from './repository.ts';
import { isStorageSopClass, isValidUid } from './sop-class.ts';

export interface IngestOptions {
  via: Door;
  /** Project the study is routed to (AE route, STOW or upload parameter). */
  projectId?: string;
  /** STOW-RS /studies/{study}: an instance of another study is refused (STUDY_MISMATCH). */
  expectedStudyInstanceUid?: string;
  /** DIMSE: the C-STORE command's affected SOP class and instance, which the dataset must match. */
  expectedSop?: { sopClassUid: string; sopInstanceUid: string };
}

/** What happened to one instance. UIDs are for the caller's response, never for logs. */
export interface IngestOutcome {
  status: 'stored' | 'duplicate' | 'conflict';
  instanceId: string;
  seriesId: string;
  studyId: string;
  conflictId?: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  size: number;
}

function parse(buf: Buffer): ParsedInstance {
  try {
    return parseInstance(buf);
  } catch (error) {
    if (error instanceof DicomParseError) {
      const code: IngestErrorCode = error.code === 'FRAME_OUT_OF_RANGE' ? 'BAD_PIXEL_DATA' : error.code;
      throw new IngestError(code, error.message);
    }
    // The parser's own bugs must not pass for bad input silently: keep them distinguishable.
    throw new IngestError('BAD_ELEMENT', 'the file could not be parsed');
  }
}

function validate(parsed: ParsedInstance, options: IngestOptions): void {
  const sopOf = { sopClassUid: parsed.sopClassUid, sopInstanceUid: parsed.sopInstanceUid };
  const uids = [
    ['SOPClassUID', parsed.sopClassUid],
    ['SOPInstanceUID', parsed.sopInstanceUid],
    ['StudyInstanceUID', parsed.studyInstanceUid],
    ['SeriesInstanceUID', parsed.seriesInstanceUid],
  ] as const;
  for (const [keyword, uid] of uids) {
    if (!isValidUid(uid)) throw new IngestError('INVALID_UID', `${keyword} is not a valid UID`);
  }
  if (!isStorageSopClass(parsed.sopClassUid)) {
    throw new IngestError('SOP_CLASS_NOT_SUPPORTED', 'the SOP class is not a storage SOP class', sopOf);
  }
  if (options.expectedStudyInstanceUid && parsed.studyInstanceUid !== options.expectedStudyInstanceUid) {
    throw new IngestError(
      'STUDY_MISMATCH',
      'the instance belongs to another study than the request URL names',
      sopOf,
    );
  }
  const sop = options.expectedSop;
  if (sop && (sop.sopClassUid !== parsed.sopClassUid || sop.sopInstanceUid !== parsed.sopInstanceUid)) {
    throw new IngestError(
      'SOP_MISMATCH',
      'the dataset does not match the SOP class/instance of the C-STORE request',
    );
  }
}

async function bestEffort(ctx: IngestContext, what: string, action: () => Promise<void>) {
  try {
    await action();
  } catch (error) {
    // Whatever is left is found by the reaper (pending row or unaccounted object past the grace).
    ctx.log.warn({ err: error }, `${what} failed; the orphan reaper will clean up`);
  }
}

/**
 * The one ingest pipeline behind DIMSE, STOW-RS and uploads: parse the header (no pixel copy),
 * validate, record a PendingObject, put the bytes under a random key while the index is written
 * in one transaction that commits once the object is stored. Idempotent on SOPInstanceUID. Throws
 * IngestError (stable code) for refused input; nothing of a refused instance remains.
 */
export async function ingestInstance(
  ctx: IngestContext,
  bytes: Buffer | Readable,
  options: IngestOptions,
): Promise<IngestOutcome> {
  const started = performance.now();
  const { via } = options;
  try {
    const buf = Buffer.isBuffer(bytes) ? bytes : await readLimited(bytes, ctx.instanceMaxBytes);
    if (buf.length > ctx.instanceMaxBytes) {
      throw new IngestError('INSTANCE_TOO_LARGE', `an instance may be at most ${ctx.instanceMaxBytes} bytes`);
    }
    const parsed = parse(buf);
    validate(parsed, options);
    const record = indexRecordOf(parsed);
    await ctx.probe?.('parsed');
    const sha256 = createHash('sha256').update(buf).digest('hex');
    const parsedAt = performance.now();
    const identity = {
      sopClassUid: parsed.sopClassUid,
      sopInstanceUid: parsed.sopInstanceUid,
      studyInstanceUid: parsed.studyInstanceUid,
      seriesInstanceUid: parsed.seriesInstanceUid,
      transferSyntaxUid: parsed.transferSyntaxUid,
      size: buf.length,
    };

    // Parallel waits, so that one instance costs about one S3 put plus one COMMIT: the duplicate
    // check; the object itself; and the PendingObject row (a hint for the reaper: an object whose
    // row never landed is found by the bucket sweep) followed by the index write, done up to its
    // COMMIT. The COMMIT waits for the put: no index row ever exists without its object.
    const objectKey = newInstanceKey();
    const stored = { objectKey, size: buf.length, sha256 };
    const removeObject = () =>
      bestEffort(ctx, 'removing an object that is not indexed', async () => {
        await ctx.storage.delete(objectKey);
        await ctx.repository.removePending(objectKey);
      });
    const known = ctx.knownSeries.get(parsed.seriesInstanceUid);
    const [existing, prepared, put] = await Promise.allSettled([
      ctx.repository.findInstance(parsed.sopInstanceUid),
      ctx.repository.addPending(objectKey).then(async () => {
        await ctx.probe?.('pending-written');
        return ctx.repository.prepareIndex(record, stored, via, options.projectId, known);
      }),
      ctx.storage.put(objectKey, buf, buf.length),
    ]);
    const abandon = async () => {
      if (prepared.status === 'fulfilled') await prepared.value.rollback();
      await removeObject();
    };
    if (put.status === 'rejected') {
      await abandon();
      ctx.log.error({ err: put.reason }, 'object storage refused an instance');
      throw new IngestError('STORAGE_FAILED', 'object storage is unavailable; send the instance again later');
    }
    if (existing.status === 'rejected' || prepared.status === 'rejected') {
      await abandon();
      throw existing.status === 'rejected' ? existing.reason : (prepared as PromiseRejectedResult).reason;
    }
    // An identical re-send (a PACS retrying) is answered as stored; the new copy goes.
    if (existing.value?.sha256 === sha256) {
      await abandon();
      return finish(ctx, via, started, buf.length, {
        status: 'duplicate',
        instanceId: existing.value.id,
        seriesId: existing.value.seriesRef,
        studyId: existing.value.studyRef,
        ...identity,
      });
    }
    await ctx.probe?.('object-stored');
    const storedAt = performance.now();

    // If this throws, the object stays: a commit whose reply was lost would otherwise leave an
    // index row without its object. The pending row (or the bucket sweep) lets the reaper decide.
    const result: IndexResult = await prepared.value.commit();
    await ctx.probe?.('indexed');
    ctx.metrics.stages.observe({ stage: 'parse' }, (parsedAt - started) / 1000);
    ctx.metrics.stages.observe({ stage: 'store' }, (storedAt - parsedAt) / 1000);
    ctx.metrics.stages.observe({ stage: 'index' }, (performance.now() - storedAt) / 1000);
    ctx.knownSeries.set(parsed.seriesInstanceUid, { seriesId: result.seriesId, studyId: result.studyId });
    if (ctx.knownSeries.size > 50_000) ctx.knownSeries.clear();

    if (result.kind === 'duplicate') {
      // Object first, then its pending row: a crash in between leaves a row the reaper resolves.
      await bestEffort(ctx, 'removing a duplicate object', async () => {
        await ctx.storage.delete(objectKey);
        await ctx.repository.removePending(objectKey);
      });
    } else if (result.kind === 'stored') {
      await ctx.followUp.touch(result.seriesId);
    } else {
      ctx.log.warn(
        { conflictId: result.conflictId, instanceId: result.instanceId },
        'instance re-sent with different bytes; kept as a conflict',
      );
    }
    return finish(ctx, via, started, buf.length, {
      status: result.kind,
      instanceId: result.instanceId,
      seriesId: result.seriesId,
      studyId: result.studyId,
      ...(result.kind === 'conflict' ? { conflictId: result.conflictId } : {}),
      ...identity,
    });
  } catch (error) {
    const outcome = error instanceof IngestError ? error.code : 'INTERNAL';
    ctx.metrics.instances.inc({ door: via, outcome });
    throw error;
  }
}

function finish(
  ctx: IngestContext,
  via: Door,
  started: number,
  size: number,
  outcome: IngestOutcome,
): IngestOutcome {
  ctx.metrics.instances.inc({ door: via, outcome: outcome.status });
  ctx.metrics.bytes.inc({ door: via }, size);
  ctx.metrics.seconds.observe({ door: via }, (performance.now() - started) / 1000);
  ctx.log.debug(
    { door: via, outcome: outcome.status, instanceId: outcome.instanceId, size },
    'instance ingested',
  );
  return outcome;
}
