import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCtSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { ingestContextOf } from './context.ts';
import { reapOrphans } from './reaper.ts';

const HARNESS = fileURLToPath(new URL('./crash-harness.ts', import.meta.url));
let site: TestSite;
let dir: string;
const series = makeCtSeries({ seed: 'crash-safety', slices: 12, rows: 64, cols: 64 });

beforeAll(async () => {
  site = await startTestSite();
  dir = mkdtempSync(path.join(tmpdir(), 'annex-crash-'));
  for (const [i, file] of series.files.entries())
    writeFileSync(path.join(dir, `${String(i).padStart(3, '0')}.dcm`), file);
});
afterAll(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the harness as a real child process; resolves with how it ended. */
function runChild(env: Record<string, string>, killAfterMs?: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HARNESS], {
      env: { ...process.env, ...stringEnv(site.config), INGEST_DIR: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timer: NodeJS.Timeout | undefined;
    if (killAfterMs !== undefined) {
      // Kill once it has started ingesting (first progress dot), a little later.
      child.stdout.once('data', () => {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      });
    }
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

function stringEnv(config: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) env[k] = Array.isArray(v) ? v.join(',') : String(v);
  return env;
}

async function bucketKeys(): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const o of site.deps.storage.list('instances/')) keys.add(o.key);
  return keys;
}

/** No index row without its object (checked right after a crash, before any clean-up). */
async function expectEveryRowHasItsObject() {
  const keys = await bucketKeys();
  const rows = await site.deps.prisma.instance.findMany({ select: { objectKey: true } });
  for (const row of rows) expect(keys.has(row.objectKey)).toBe(true);
}

/** After the reaper: every object is accounted for by an index row, and nothing is pending. */
async function reapAndExpectNothingUnaccounted() {
  const ctx = ingestContextOf(site.app);
  // s3rver's timestamps have second precision: reap as if the grace period had passed.
  await reapOrphans(
    { repository: ctx.repository, storage: ctx.storage, log: ctx.log },
    0,
    new Date(Date.now() + 2000),
  );
  const keys = await bucketKeys();
  const rows = await site.deps.prisma.instance.findMany({ select: { objectKey: true } });
  const conflicts = await site.deps.prisma.ingestConflict.findMany({ select: { objectKey: true } });
  expect(new Set([...rows, ...conflicts].map((r) => r.objectKey))).toEqual(keys);
  expect(await site.deps.prisma.pendingObject.count()).toBe(0);
}

describe('crash safety', () => {
  it('reaper leaves young pending objects and unindexed objects alone (in-flight ingests)', async () => {
    const ctx = ingestContextOf(site.app);
    await ctx.repository.addPending('instances/00/young-pending.dcm');
    await site.deps.storage.put('instances/00/young-pending.dcm', Buffer.from('in flight'));
    await site.deps.storage.put('instances/00/young-unindexed.dcm', Buffer.from('in flight'));
    const report = await reapOrphans(
      { repository: ctx.repository, storage: ctx.storage, log: ctx.log },
      3600,
    );
    expect(report).toMatchObject({ pendingRemoved: 0, objectsRemoved: 0 });
    expect((await bucketKeys()).has('instances/00/young-unindexed.dcm')).toBe(true);
    await reapAndExpectNothingUnaccounted();
    expect((await bucketKeys()).has('instances/00/young-pending.dcm')).toBe(false);
  });

  it('leaves no index row without its object and nothing unaccounted after the reaper, wherever the process dies', async () => {
    // Counted among instances new to the index (re-sent ones are answered before these points).
    const points = [
      ['parsed', 2],
      ['pending-written', 2],
      ['object-stored', 2],
      ['indexed', 2],
    ] as const;
    for (const [point, nth] of points) {
      const { signal } = await runChild({ CRASH_AT: point, CRASH_AFTER: String(nth) });
      expect(signal, `harness should die at ${point} #${nth}`).toBe('SIGKILL');
      await expectEveryRowHasItsObject();
      await reapAndExpectNothingUnaccounted();
    }
  }, 120_000);

  it('converges to the same state when the study is sent again after crashes (also one killed at a random moment)', async () => {
    const killed = await runChild({}, 60);
    expect(killed.signal).toBe('SIGKILL');
    await expectEveryRowHasItsObject();
    const finished = await runChild({});
    expect(finished.code).toBe(0);
    await reapAndExpectNothingUnaccounted();

    const rows = await site.deps.prisma.instance.findMany({
      where: { series: { seriesInstanceUid: series.seriesInstanceUid } },
      orderBy: { instanceNumber: 'asc' },
    });
    expect(rows.map((r) => r.sopInstanceUid)).toEqual(series.sopInstanceUids);
    for (const [i, row] of rows.entries()) {
      const object = await site.deps.storage.getBuffer(row.objectKey);
      expect(object.equals(series.files[i]!)).toBe(true);
      expect(row.sha256).toBe(createHash('sha256').update(series.files[i]!).digest('hex'));
    }
    expect((await bucketKeys()).size).toBe(series.files.length);
    expect(await site.deps.prisma.ingestConflict.count()).toBe(0);
    expect(
      await site.deps.prisma.series.count({ where: { seriesInstanceUid: series.seriesInstanceUid } }),
    ).toBe(1);

    // A third send changes nothing.
    expect((await runChild({})).code).toBe(0);
    expect((await bucketKeys()).size).toBe(series.files.length);
    expect(await site.deps.prisma.instance.count()).toBe(series.files.length);
  }, 120_000);
});
