import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { JobName, QueueName } from '../../jobs/names.ts';
import { REAP_EVERY_MS, reapOrphansHandler, scheduleOrphanReaper } from './jobs.ts';
import { sweepPrefixAt } from './reaper.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ ORPHAN_GRACE_SECONDS: '1' });
});
afterAll(async () => site?.close());

describe('orphan reaper job', () => {
  it('is scheduled once per queue prefix however many workers schedule it', async () => {
    await scheduleOrphanReaper(site.deps.redis, site.config.QUEUE_PREFIX, 60_000);
    await scheduleOrphanReaper(site.deps.redis, site.config.QUEUE_PREFIX, 60_000);
    const queue = new Queue(QueueName.Maintenance, {
      connection: site.deps.redis,
      prefix: site.config.QUEUE_PREFIX,
    });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.name)).toEqual([JobName.ReapOrphans]);
    expect(schedulers[0]!.every).toBe(60_000);
    await queue.close();
  });

  it('removes stale pending objects, and unaccounted objects in the sixteenth of the store its slot sweeps', async () => {
    await site.app.ingest.repository.addPending('instances/aa/stale.dcm');
    await site.deps.storage.put('instances/aa/stale.dcm', Buffer.from('left by a crash'));
    await site.deps.storage.put('instances/aa/unaccounted.dcm', Buffer.from('left by a crash'));
    await site.deps.storage.put('instances/b0/unaccounted.dcm', Buffer.from('left by a crash'));
    // s3rver keeps second-precision timestamps; wait out the 1 s grace with margin.
    await new Promise((r) => setTimeout(r, 2200));
    const slot = (digit: number) => () =>
      new Date(
        Date.now() + ((digit - (Math.floor(Date.now() / REAP_EVERY_MS) % 16) + 16) % 16) * REAP_EVERY_MS,
      );
    expect(sweepPrefixAt(slot(10)(), REAP_EVERY_MS)).toBe('instances/a');
    await reapOrphansHandler(site.app, slot(10))({});
    const keys = async () => {
      const out: string[] = [];
      for await (const o of site.deps.storage.list('instances/')) out.push(o.key);
      return out;
    };
    // The pending one goes whatever the slot; instances/b… waits for its own slot.
    expect(await keys()).toEqual(['instances/b0/unaccounted.dcm']);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
    await reapOrphansHandler(site.app, slot(11))({});
    expect(await keys()).toEqual([]);
  });

  it('covers every key of the store once every 16 slots', () => {
    const prefixes = new Set(
      Array.from({ length: 16 }, (_, i) => sweepPrefixAt(new Date(i * REAP_EVERY_MS), REAP_EVERY_MS)),
    );
    expect([...prefixes].sort()).toEqual([...'0123456789abcdef'].map((h) => `instances/${h}`));
  });
});
