import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { JobName, QueueName } from '../../jobs/names.ts';
import { reapOrphansHandler, scheduleOrphanReaper } from './jobs.ts';

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

  it('removes stale pending objects and unaccounted objects when it runs', async () => {
    await site.app.ingest.repository.addPending('instances/aa/stale.dcm');
    await site.deps.storage.put('instances/aa/stale.dcm', Buffer.from('left by a crash'));
    await site.deps.storage.put('instances/aa/unaccounted.dcm', Buffer.from('left by a crash'));
    // s3rver keeps second-precision timestamps; wait out the 1 s grace with margin.
    await new Promise((r) => setTimeout(r, 2200));
    await reapOrphansHandler(site.app)({});
    const keys: string[] = [];
    for await (const o of site.deps.storage.list('instances/')) keys.push(o.key);
    expect(keys).toEqual([]);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });
});
