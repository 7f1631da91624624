import { Readable } from 'node:stream';
import { JobName } from '../../jobs/names.ts';
import type { Queues } from '../../jobs/queues.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { AnnotatorView } from '../deid-views/annotator-view.ts';
import type { TaskIdentity } from '../tasks/identity.ts';
import {
  cannotCancel,
  cannotRetry,
  exportExpired,
  exportNotFound,
  exportNotReady,
  identifiedFormats,
  identifiedNeedsAdmin,
  nothingToExport,
  rangeNotSatisfiable,
} from './errors.ts';
import { readParts } from './parts.ts';
import { parseByteRange } from './range.ts';
import type { ExportRepository } from './repository.ts';
import type { CreateExportBody, ExportView } from './schemas.ts';

export interface ExportContext {
  repository: ExportRepository;
  storage: ObjectStore;
  queues: Queues;
  ids: TaskIdentity;
  view: AnnotatorView;
  secret: string;
}

type ExportRow = NonNullable<Awaited<ReturnType<ExportRepository['find']>>>;

export function viewOf(row: ExportRow): ExportView {
  return {
    id: row.id,
    projectId: row.projectRef,
    formats: row.formats,
    variant: row.variant,
    status: row.status as ExportView['status'],
    percent: row.percent,
    itemsDone: row.itemsDone,
    itemsTotal: row.itemsTotal,
    currentItem: row.currentItem,
    attempt: row.attempt,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    fileCount: row.fileCount,
    fileName: row.fileName,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

const jobIdOf = (id: string, attempt: number) => `export-${id}-${attempt}`;

/** Queues an export of a project's finalized tasks (those matching the filter, fixed now). */
export async function requestExport(
  ctx: ExportContext,
  body: CreateExportBody,
  principal: { sub: string; roles: string[] },
): Promise<ExportView> {
  if (body.variant === 'identified') {
    if (!principal.roles.includes('site-admin')) throw identifiedNeedsAdmin();
    if (body.formats.some((f) => f !== 'seg' && f !== 'sr')) throw identifiedFormats();
  }
  const project = await ctx.repository.project(body.projectId);
  if (!project) throw nothingToExport();
  const taskRefs = await ctx.repository.selectTasks(project.id, body.filter);
  if (taskRefs.length === 0) throw nothingToExport();
  const row = await ctx.repository.create({
    projectRef: project.id,
    taskRefs,
    filter: body.filter,
    formats: body.formats,
    variant: body.variant,
    itemsTotal: taskRefs.length,
    createdBy: principal.sub,
    expiresAt: new Date(Date.now() + body.expiresInHours * 3600_000),
  });
  await ctx.queues.enqueue(JobName.BuildExport, { exportId: row.id }, { jobId: jobIdOf(row.id, 0) });
  return viewOf(row);
}

export async function getExport(ctx: ExportContext, id: string): Promise<ExportView> {
  const row = await ctx.repository.find(id);
  if (!row) throw exportNotFound();
  return viewOf(row);
}

export async function listExports(ctx: ExportContext, projectId?: string): Promise<ExportView[]> {
  return (await ctx.repository.list(projectId, 100)).map(viewOf);
}

/** Stops a queued or running export; the job notices between tasks and removes what it wrote. */
export async function cancelExport(ctx: ExportContext, id: string): Promise<ExportView> {
  const row = await ctx.repository.find(id);
  if (!row) throw exportNotFound();
  const ok = await ctx.repository.transition(id, ['queued', 'running'], {
    status: 'cancelled',
    finishedAt: new Date(),
    currentItem: null,
  });
  if (!ok) throw cannotCancel(row.status);
  return getExport(ctx, id);
}

/** Builds a failed or cancelled export again, from scratch, under a new attempt. */
export async function retryExport(ctx: ExportContext, id: string): Promise<ExportView> {
  const row = await ctx.repository.find(id);
  if (!row) throw exportNotFound();
  const ok = await ctx.repository.transition(id, ['failed', 'cancelled'], {
    status: 'queued',
    errorCode: null,
    errorMessage: null,
    finishedAt: null,
    percent: 0,
    itemsDone: 0,
  });
  if (!ok) throw cannotRetry(row.status);
  await ctx.queues.enqueue(JobName.BuildExport, { exportId: id }, { jobId: jobIdOf(id, row.attempt + 1) });
  return getExport(ctx, id);
}

export interface Download {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable | AsyncIterable<Buffer>;
}

/** The bundle, whole or one byte range of it (a download resumes with `Range: bytes=N-`). */
export async function downloadExport(
  ctx: ExportContext,
  id: string,
  rangeHeader: string | undefined,
  ifRange: string | undefined,
): Promise<Download & { row: ExportRow }> {
  const row = await ctx.repository.find(id);
  if (!row) throw exportNotFound();
  if (row.status === 'expired') throw exportExpired();
  if (row.status !== 'succeeded' || !row.objectPrefix || row.size === null) throw exportNotReady(row.status);
  const size = Number(row.size);
  const sizes = row.parts.map(Number);
  const etag = `"${row.sha256}"`;
  // If-Range with another validator: the file changed under the client, send all of it again.
  const range = ifRange && ifRange !== etag ? undefined : parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') throw rangeNotSatisfiable(size);
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const headers: Record<string, string> = {
    'content-type': 'application/x-tar',
    'content-length': String(end - start + 1),
    'accept-ranges': 'bytes',
    etag,
    'content-disposition': `attachment; filename="${row.fileName ?? `${row.id}.tar`}"`,
    'cache-control': 'private, no-store',
  };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  return {
    row,
    status: range ? 206 : 200,
    headers,
    body: size === 0 ? Readable.from([]) : readParts(ctx.storage, row.objectPrefix, sizes, start, end),
  };
}
