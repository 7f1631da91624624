import { INSTANCE_PREFIX } from '../../storage/object-key.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { IngestLogger } from './context.ts';
import type { IngestRepository } from './repository.ts';

export interface ReapDeps {
  repository: IngestRepository;
  storage: ObjectStore;
  log: IngestLogger;
}

export interface ReapReport {
  pendingRemoved: number;
  objectsScanned: number;
  objectsRemoved: number;
}

const BATCH = 500;
const HEX = '0123456789abcdef';

/**
 * The part of the store one scheduled run sweeps: keys fan out by random hex (object-key.ts), so
 * `instances/<h>` for one of 16 digits, turning with the run's time slot. A run lists a sixteenth
 * of the archive and the whole archive is covered every 16 runs.
 */
export function sweepPrefixAt(now: Date, everyMs: number): string {
  return `${INSTANCE_PREFIX}${HEX[Math.floor(now.getTime() / everyMs) % HEX.length]}`;
}

async function deleteObject(storage: ObjectStore, key: string) {
  try {
    await storage.delete(key);
  } catch (error) {
    // Already gone is what we wanted; anything else is retried on the next run.
    if ((error as { code?: string }).code !== 'NoSuchKey') throw error;
  }
}

/**
 * Removes what a crash can leave behind, older than the grace period so in-flight ingests are
 * never touched: (1) PendingObject rows — their object is deleted unless an index row took it
 * over — and (2) objects under instances/ that no Instance, IngestConflict or PendingObject row
 * accounts for (under `sweepPrefix`, by default all of them). Safe to run concurrently with ingest
 * and with itself.
 */
export async function reapOrphans(
  deps: ReapDeps,
  graceSeconds: number,
  now = new Date(),
  sweepPrefix = INSTANCE_PREFIX,
): Promise<ReapReport> {
  const cutoff = new Date(now.getTime() - graceSeconds * 1000);
  const report: ReapReport = { pendingRemoved: 0, objectsScanned: 0, objectsRemoved: 0 };

  for (;;) {
    const stale = await deps.repository.stalePending(cutoff, BATCH);
    if (stale.length === 0) break;
    const keys = stale.map((p) => p.objectKey);
    const indexed = await deps.repository.indexedKeys(keys);
    for (const key of keys) {
      if (!indexed.has(key)) await deleteObject(deps.storage, key);
      await deps.repository.removePending(key);
      report.pendingRemoved++;
    }
    if (stale.length < BATCH) break;
  }

  let batch: string[] = [];
  const sweep = async () => {
    const accounted = await deps.repository.accountedKeys(batch);
    for (const key of batch) {
      if (accounted.has(key)) continue;
      await deleteObject(deps.storage, key);
      report.objectsRemoved++;
    }
    batch = [];
  };
  for await (const object of deps.storage.list(sweepPrefix)) {
    report.objectsScanned++;
    if (object.lastModified >= cutoff) continue;
    batch.push(object.key);
    if (batch.length >= BATCH) await sweep();
  }
  await sweep();

  if (report.pendingRemoved || report.objectsRemoved)
    deps.log.warn({ ...report }, 'removed orphaned objects');
  return report;
}
