import type { PrismaClient } from '../../db.ts';

export type UploadStatus = 'receiving' | 'processing' | 'done' | 'failed';
export type FileOutcome = 'stored' | 'duplicate' | 'conflict' | 'failed';

export function createUploadRepository(prisma: PrismaClient) {
  return {
    create: (data: { createdBy: string; projectId: string | null }) =>
      prisma.upload.create({ data: { ...data, kind: 'unknown', status: 'receiving' }, select: { id: true } }),

    update: (
      id: string,
      data: Partial<{
        kind: string;
        status: UploadStatus;
        errorCode: string | null;
        bytesReceived: number;
        totalEntries: number;
      }>,
    ) =>
      prisma.upload.update({
        where: { id },
        data: {
          ...data,
          ...(data.bytesReceived !== undefined ? { bytesReceived: BigInt(data.bytesReceived) } : {}),
          ...(data.status === 'done' || data.status === 'failed' ? { finishedAt: new Date() } : {}),
        },
      }),

    /** One file's outcome and the upload's counters, together, so progress never disagrees with files. */
    recordFile: (
      uploadId: string,
      file: {
        entryIndex: number;
        name: string;
        size: number | null;
        outcome: string;
        instanceRef: string | null;
      },
      kind: FileOutcome,
    ) =>
      prisma.$transaction([
        prisma.uploadFile.create({
          data: { uploadRef: uploadId, ...file, size: file.size === null ? null : BigInt(file.size) },
        }),
        prisma.upload.update({
          where: { id: uploadId },
          data: {
            processedEntries: { increment: 1 },
            ...(kind === 'stored' ? { stored: { increment: 1 } } : {}),
            ...(kind === 'duplicate' ? { duplicates: { increment: 1 } } : {}),
            ...(kind === 'conflict' ? { conflicts: { increment: 1 } } : {}),
            ...(kind === 'failed' ? { failed: { increment: 1 } } : {}),
          },
        }),
      ]),

    get: (id: string) => prisma.upload.findUnique({ where: { id } }),
    files: (id: string, offset: number, limit: number) =>
      prisma.uploadFile.findMany({
        where: { uploadRef: id },
        orderBy: { entryIndex: 'asc' },
        skip: offset,
        take: limit,
      }),

    /** Uploads a crashed process left behind (no progress for longer than the grace): marked failed. */
    failStale: (before: Date) =>
      prisma.upload.updateMany({
        where: { status: { in: ['receiving', 'processing'] }, updatedAt: { lt: before } },
        data: { status: 'failed', errorCode: 'INTERRUPTED', finishedAt: new Date() },
      }),
  };
}

export type UploadRepository = ReturnType<typeof createUploadRepository>;
