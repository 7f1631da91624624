import { z } from 'zod';

/** Every queue of the site, in one place. */
export enum QueueName {
  Ingest = 'ingest',
  Maintenance = 'maintenance',
  Quality = 'quality',
  /** Label exports: long, I/O-bound, kept apart so they never delay ingest or quality. */
  Export = 'export',
}

/** Every job name, in one place; each has exactly one handler (checked at start-up). */
export enum JobName {
  /** Follow-up work after instances of one series were indexed (routing, tasks, sync). */
  SeriesIndexed = 'series-indexed',
  /** Removes objects that no index row accounts for (crash leftovers). */
  ReapOrphans = 'reap-orphans',
  /** Agreement, consensus and scores of a task once its annotations are in. */
  ComputeQuality = 'compute-quality',
  /** Returns abandoned claims to the pool. */
  ExpireLeases = 'expire-leases',
  /** Writes one label export (formats, bundle, manifest) into object storage. */
  BuildExport = 'build-export',
  /** Deletes the files of exports past their expiry. */
  ExpireExports = 'expire-exports',
}

// Payloads carry database ids only: never UIDs, names or any other DICOM value.
const dbId = z.string().uuid();

export const jobPayloadSchemas = {
  [JobName.SeriesIndexed]: z.strictObject({ seriesId: dbId }),
  [JobName.ReapOrphans]: z.strictObject({}),
  [JobName.ComputeQuality]: z.strictObject({ taskId: dbId }),
  [JobName.ExpireLeases]: z.strictObject({}),
  [JobName.BuildExport]: z.strictObject({ exportId: dbId }),
  [JobName.ExpireExports]: z.strictObject({}),
} satisfies Record<JobName, z.ZodType>;

export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloadSchemas)[N]>;

export const jobQueue: Record<JobName, QueueName> = {
  [JobName.SeriesIndexed]: QueueName.Ingest,
  [JobName.ReapOrphans]: QueueName.Maintenance,
  [JobName.ComputeQuality]: QueueName.Quality,
  [JobName.ExpireLeases]: QueueName.Maintenance,
  [JobName.BuildExport]: QueueName.Export,
  [JobName.ExpireExports]: QueueName.Maintenance,
};
