import { makeCtSeries, makeStudy } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';
import { type AnnounceCursor, announcePendingStudies } from './study-announcer.ts';

// The announcer's cursor: after the first pass it reads only recent instances, yet it still
// announces a study that was not quiet yet, a study that got more instances, and every study
// of a pass that hit its page limit.
let site: TestSite;
const announced = async () =>
  (await site.deps.prisma.syncOutbox.findMany({ where: { type: 'study.available' } })).length;
const ingest = async (seed: string, slices = 2) => {
  const ct = makeCtSeries({ study: makeStudy(seed), slices, rows: 16, cols: 16 });
  for (const file of ct.files) await ingestInstance(ingestContextOf(site.app), file, { via: 'upload' });
};

beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => site?.close());

describe('study announcer cursor', () => {
  it('moves past what it has seen and still announces late, grown and left-over studies', async () => {
    const cursor: AnnounceCursor = { since: null };
    const pass = (quietMs: number, limit?: number) =>
      announcePendingStudies(site.deps.prisma, site.config.SITE_SECRET, {
        quietMs,
        cursor,
        ...(limit ? { limit } : {}),
      });

    await ingest('announce-a');
    await ingest('announce-b');
    // Not quiet yet (an hour of quiet asked): nothing is due, but the cursor must not pass them.
    expect(await pass(3_600_000)).toBe(0);
    expect(cursor.since).not.toBeNull();
    expect(cursor.since!.getTime()).toBeLessThan(Date.now() - 3_600_000);

    // A page of one: the second study is left for the next pass, so the cursor stays put.
    const before = cursor.since;
    expect(await pass(0, 1)).toBe(1);
    expect(cursor.since).toEqual(before);
    expect(await pass(0, 1)).toBe(1);
    expect(await announced()).toBe(2);

    // Everything quiet and announced: the cursor moves to now − slack and nothing repeats.
    expect(await pass(0)).toBe(0);
    expect(cursor.since!.getTime()).toBeGreaterThan(Date.now() - 120_000);
    expect(await pass(0)).toBe(0);

    // A study that grows after it was announced is announced again from the recent instances alone.
    const ct = makeCtSeries({ study: makeStudy('announce-a'), slices: 3, rows: 16, cols: 16 });
    await ingestInstance(ingestContextOf(site.app), ct.files[2]!, { via: 'upload' });
    expect(await pass(0)).toBe(1);
    expect(await announced()).toBe(3);
  });

  it('reads the recent instances through the createdAt index, not the whole index', async () => {
    const plan = await site.deps.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT id FROM "Instance" WHERE "createdAt" >= now() - interval '1 minute'`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('Instance_createdAt_idx');
  });
});
