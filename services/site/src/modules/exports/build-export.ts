import { createHmac, randomUUID } from 'node:crypto';
import { AppError } from '@annex/platform';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../sync/db-client.ts';
import { enqueueOutbox } from '../sync/outbox.ts';
import { writeBundle } from './bundle.ts';
import { ExportCancelled } from './errors.ts';
import { deleteParts, PartWriter } from './parts.ts';
import type { ExportFormat, ExportVariant } from './schemas.ts';
import type { ExportContext } from './service.ts';

/** The export's name toward the cloud: a keyed hash, like every other id that crosses (DESIGN.md rule 2). */
export const exportPseudonym = (secret: string, exportId: string) =>
  `exp_${createHmac('sha256', secret).update(`annex-pseudonym\0export\0\0${exportId}`).digest().subarray(0, 15).toString('base64url')}`;

/**
 * The build-export job: writes the bundle as parts under a fresh prefix, reporting progress per task and
 * stopping when the export is cancelled. A crashed attempt (the job runs again after BullMQ's stall
 * recovery) first deletes what the previous attempt wrote, so no attempt's output mixes with another's.
 * A refusal (no label set, bad geometry, deleted source) fails the export with its code, any other error
 * with EXPORT_FAILED; either way every part is removed and the export can be retried by hand.
 */
export async function buildExport(
  ctx: ExportContext,
  exportId: string,
  log: FastifyBaseLogger,
): Promise<void> {
  const row = await ctx.repository.find(exportId);
  if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
  if (row.objectPrefix) await deleteParts(ctx.storage, row.objectPrefix);
  const prefix = `exports/${randomUUID()}/`;
  const started = await ctx.repository.transition(exportId, ['queued', 'running'], {
    status: 'running',
    attempt: row.attempt + 1,
    objectPrefix: prefix,
    startedAt: new Date(),
    percent: 0,
    itemsDone: 0,
    currentItem: null,
    parts: [],
    size: null,
    sha256: null,
  });
  if (!started) return;

  const project = await ctx.repository.project(row.projectRef);
  const sink = new PartWriter(ctx.storage, prefix);
  try {
    const result = await writeBundle(
      ctx,
      {
        exportId,
        project: {
          id: row.projectRef,
          slug: project?.slug ?? 'project',
          pseudonym: ctx.ids.project(row.projectRef),
        },
        taskRefs: row.taskRefs,
        formats: row.formats as ExportFormat[],
        variant: row.variant as ExportVariant,
      },
      sink,
      async (done, current) => {
        if ((await ctx.repository.statusOf(exportId)) === 'cancelled') throw new ExportCancelled();
        await ctx.repository.update(exportId, {
          itemsDone: done,
          percent: Math.floor((done / Math.max(1, row.taskRefs.length)) * 100),
          currentItem: current,
        });
      },
    );
    await new Promise<void>((resolve, reject) =>
      sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const fileName = `annex-${project?.slug ?? 'export'}-${new Date().toISOString().slice(0, 10)}-${exportId.slice(0, 8)}.tar`;
    const finished = await ctx.repository.prisma.$transaction(async (tx) => {
      const { count } = await tx.export.updateMany({
        where: { id: exportId, status: 'running', attempt: row.attempt + 1 },
        data: {
          status: 'succeeded',
          percent: 100,
          itemsDone: row.taskRefs.length,
          currentItem: null,
          parts: sink.sizes.map(BigInt),
          size: BigInt(sink.size),
          sha256: sink.sha256,
          fileCount: result.fileCount,
          fileName,
          finishedAt: new Date(),
        },
      });
      if (count === 1)
        await enqueueOutbox(
          tx as unknown as Db,
          'export.completed',
          {
            exportId: exportPseudonym(ctx.secret, exportId),
            projectId: ctx.ids.project(row.projectRef),
            variant: row.variant as ExportVariant,
            formats: row.formats as ExportFormat[],
            taskCount: row.taskRefs.length,
            fileCount: result.fileCount,
            bytes: sink.size,
            completedAt: new Date().toISOString(),
          },
          // Enums, counts and pseudonyms only: no field can carry a value of any study.
          { canaries: [] },
        );
      return count === 1;
    });
    if (!finished) {
      // Cancelled at the last moment: what was written goes.
      await deleteParts(ctx.storage, prefix);
      return;
    }
    log.info({ exportId, bytes: sink.size, files: result.fileCount }, 'export written');
  } catch (error) {
    sink.destroy();
    await deleteParts(ctx.storage, prefix);
    if (error instanceof ExportCancelled) return;
    const refusal = error instanceof AppError;
    await ctx.repository.transition(exportId, ['running'], {
      status: 'failed',
      errorCode: refusal ? error.code : 'EXPORT_FAILED',
      errorMessage: refusal
        ? error.message
        : 'The export stopped on an internal error (storage or database); retry it, and tell the site administrator if it fails again.',
      finishedAt: new Date(),
      currentItem: null,
      objectPrefix: null,
    });
    // Only the code and the error's class: messages of internal errors may quote values.
    if (refusal) log.warn({ exportId, code: error.code }, 'export refused');
    else log.error({ exportId, error: (error as Error).name }, 'export failed');
  }
}

/** Deletes the parts of exports past their expiry; the row stays (status expired) so the history reads true. */
export async function expireExports(ctx: ExportContext, now = new Date()): Promise<number> {
  let n = 0;
  for (const row of await ctx.repository.expired(now)) {
    if (row.objectPrefix) await deleteParts(ctx.storage, row.objectPrefix);
    await ctx.repository.update(row.id, { status: 'expired', objectPrefix: null, parts: [] });
    n++;
  }
  return n;
}
