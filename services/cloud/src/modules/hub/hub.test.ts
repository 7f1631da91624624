import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../../../test/app.ts';
import { FakeSite } from '../../../test/fake-site.ts';
import { registerTestSite, studyBody } from '../../../test/fixtures.ts';
import { enqueueCommand } from '../outbox/repository.ts';
import { revokeSiteKey } from '../sites/service.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud({ SYNC_KEY_CACHE_MS: '500' });
});
afterAll(async () => cloud?.close());

describe('sync hub', () => {
  it('applies a signed study.available, acks it, and serves it under its pseudonym', async () => {
    const key = await registerTestSite(cloud, 'hub-site-a');
    const site = await FakeSite.connect(cloud.syncUrl, 'hub-site-a', key, cloud.cloudKey);
    expect(site.lastAppliedSeq).toBe(0);
    const body = studyBody('hub-a-1', 2);
    site.send(site.seal({ type: 'study.available', seq: 1, body }));
    await site.waitForAck(1);
    const res = await cloud.app.inject({
      url: '/api/studies?siteId=hub-site-a',
      headers: await cloud.auth('cloudadmin'),
    });
    expect(res.statusCode).toBe(200);
    const studies = res.json().studies;
    expect(studies).toHaveLength(1);
    expect(studies[0].studyId).toBe(body.studyId);
    expect(studies[0].series.map((s: { seriesId: string }) => s.seriesId).sort()).toEqual(
      body.series.map((s) => s.seriesId).sort(),
    );
    site.close();
  });

  it('sends a queued ping to the connected site and records its command.result', async () => {
    const key = await registerTestSite(cloud, 'hub-site-b');
    const site = await FakeSite.connect(cloud.syncUrl, 'hub-site-b', key, cloud.cloudKey);
    const res = await cloud.app.inject({
      method: 'POST',
      url: '/api/sites/hub-site-b/ping',
      headers: await cloud.auth('cloudadmin'),
    });
    expect(res.statusCode).toBe(202);
    const seq = res.json().seq;
    await site.waitFor((r) => r.some((e) => e.type === 'ping' && e.seq === seq));
    site.send(site.seal({ type: 'sync.ack', seq: 0, body: { upToSeq: seq } }));
    site.send(
      site.seal({
        type: 'command.result',
        seq: 1,
        body: { status: 'applied', commandSeq: seq, commandType: 'ping' },
      }),
    );
    await site.waitForAck(1);
    const cmds = await cloud.app.inject({
      url: '/api/sites/hub-site-b/commands',
      headers: await cloud.auth('cloudadmin'),
    });
    const cmd = cmds.json().commands[0];
    expect(cmd.ackedAt).not.toBeNull();
    expect(cmd.result.status).toBe('applied');
    site.close();
  });

  it('closes the older connection when a site connects twice', async () => {
    const key = await registerTestSite(cloud, 'hub-site-c');
    const first = await FakeSite.connect(cloud.syncUrl, 'hub-site-c', key, cloud.cloudKey);
    const second = await FakeSite.connect(cloud.syncUrl, 'hub-site-c', key, cloud.cloudKey);
    const closed = await first.waitClosed();
    expect(closed.code).toBe(4000);
    second.send(second.seal({ type: 'study.available', seq: 1, body: studyBody('hub-c-1') }));
    await second.waitForAck(1);
    expect(second.closed).toBeNull();
    second.close();
  });

  it('picks up commands queued by another process (CLI, another replica) without a notification', async () => {
    const key = await registerTestSite(cloud, 'hub-site-d');
    const site = await FakeSite.connect(cloud.syncUrl, 'hub-site-d', key, cloud.cloudKey);
    const seq = await cloud.prisma.$transaction((tx) => enqueueCommand(tx, 'hub-site-d', 'ping', {}));
    await site.waitFor((r) => r.some((e) => e.type === 'ping' && e.seq === seq), 6000);
    site.close();
  });

  it('ends a connection whose key was revoked by another process, within the key-cache TTL', async () => {
    const key = await registerTestSite(cloud, 'hub-site-e');
    const site = await FakeSite.connect(cloud.syncUrl, 'hub-site-e', key, cloud.cloudKey);
    await revokeSiteKey(cloud.prisma, 'hub-site-e', key.kid); // straight in the database, no hub call
    expect((await site.waitClosed(6000)).code).toBe(4003);
  });
});
