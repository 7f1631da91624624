import { exportPublicKeyPem, generateKeyPair, rawPublicKey } from '@annex/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../../../test/app.ts';
import { FakeSite } from '../../../test/fake-site.ts';
import { registerTestSite, studyBody } from '../../../test/fixtures.ts';
import { rotateSiteKey } from '../sites/service.ts';

// Every forged, damaged or replayed frame is refused, counted with its reason, and never applied;
// the valid traffic around it is applied exactly once.

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => cloud?.close());

const counts = async (siteId: string) =>
  Object.fromEntries(
    (await cloud.prisma.rejectionCount.findMany({ where: { siteId } })).map((r) => [
      r.reason,
      Number(r.count),
    ]),
  );
const applied = async (siteId: string) =>
  (await cloud.prisma.inboxMessage.findMany({ where: { siteId }, orderBy: { seq: 'asc' } })).map((m) =>
    Number(m.seq),
  );

/** Sends a valid message with the next seq and waits for its ack: proves the stream still flows. */
async function probe(site: FakeSite, seq: number) {
  site.send(site.seal({ type: 'study.available', seq, body: studyBody(`${site.siteId}-${seq}`) }));
  await site.waitForAck(seq);
}

describe('hub refuses and counts attacks', () => {
  it('flipped body byte and flipped signature byte: BAD_SIGNATURE, nothing applied', async () => {
    const key = await registerTestSite(cloud, 'atk-flip');
    const site = await FakeSite.connect(cloud.syncUrl, 'atk-flip', key, cloud.cloudKey);
    const env = site.seal({ type: 'study.available', seq: 1, body: studyBody('flip') });
    const text = JSON.stringify(env);
    // One byte of the study pseudonym changes; the JSON stays valid.
    const i = text.indexOf(studyBody('flip').studyId) + 5;
    const flippedBody = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    site.sendRaw(flippedBody);
    const sig = env.sig;
    const flippedSig = { ...env, sig: (sig[10] === 'A' ? 'B' : 'A') + sig.slice(1, 10) + sig.slice(10) };
    flippedSig.sig = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    site.sendRaw(flippedSig);
    await probe(site, 1);
    expect(await counts('atk-flip')).toMatchObject({ BAD_SIGNATURE: 2 });
    expect(await applied('atk-flip')).toEqual([1]);
    const stored = await cloud.prisma.inboxMessage.findFirstOrThrow({ where: { siteId: 'atk-flip' } });
    expect(stored.sig).not.toBe(env.sig); // the applied one is the genuine probe, not the tampered frame
    site.close();
  });

  it('unknown key id, expired key, revoked key: refused with their reasons', async () => {
    const key = await registerTestSite(cloud, 'atk-keys');
    const site = await FakeSite.connect(cloud.syncUrl, 'atk-keys', key, cloud.cloudKey);
    const stranger = generateKeyPair();
    site.sendRaw({
      ...site.seal({ type: 'study.available', seq: 1, body: studyBody('k1') }),
      kid: stranger.kid,
    });

    const expired = generateKeyPair();
    await cloud.prisma.siteKey.create({
      data: {
        kid: expired.kid,
        siteId: 'atk-keys',
        publicKey: rawPublicKey(expired.publicKey).toString('base64url'),
        notBefore: new Date(Date.now() - 3_600_000),
        notAfter: new Date(Date.now() - 60_000),
      },
    });
    const revoked = generateKeyPair();
    await rotateSiteKey(cloud.prisma, 'atk-keys', exportPublicKeyPem(revoked.publicKey), 3_600_000);
    const headers = await cloud.auth('cloudadmin');
    const res = await cloud.app.inject({
      method: 'POST',
      url: `/api/admin/sites/atk-keys/keys/${revoked.kid}/revoke`,
      headers,
    });
    expect(res.statusCode).toBe(200);
    const sealWith = (k: typeof expired, seq: number) =>
      new FakeSiteSigner(site, k).seal(seq, studyBody(`k-${seq}-${k.kid}`));
    site.sendRaw(sealWith(expired, 1));
    site.sendRaw(sealWith(revoked, 1));
    await probe(site, 1);
    expect(await counts('atk-keys')).toMatchObject({ UNKNOWN_KEY: 1, KEY_EXPIRED: 1, KEY_REVOKED: 1 });
    expect(await applied('atk-keys')).toEqual([1]);
    site.close();
  });

  it('clock skew of ±10 minutes is refused (CLOCK_SKEW), the window edge is not', async () => {
    const key = await registerTestSite(cloud, 'atk-skew');
    // Registered long ago, so validity windows do not mask the clock check.
    await cloud.prisma.siteKey.update({
      where: { kid: key.kid },
      data: { notBefore: new Date(Date.now() - 86_400_000) },
    });
    const site = await FakeSite.connect(cloud.syncUrl, 'atk-skew', key, cloud.cloudKey);
    for (const offset of [10 * 60_000, -10 * 60_000]) {
      site.send(
        site.seal({ type: 'study.available', seq: 1, sentAt: Date.now() + offset, body: studyBody('skew') }),
      );
    }
    site.send(
      site.seal({
        type: 'study.available',
        seq: 1,
        sentAt: Date.now() - 4.5 * 60_000,
        body: studyBody('ok'),
      }),
    );
    await site.waitForAck(1);
    expect(await counts('atk-skew')).toMatchObject({ CLOCK_SKEW: 2 });
    expect(await applied('atk-skew')).toEqual([1]);
    site.close();
  });

  it('a signed message with an extra field, or a patient name in a field, is SCHEMA_INVALID and alarmed', async () => {
    const key = await registerTestSite(cloud, 'atk-schema');
    const site = await FakeSite.connect(cloud.syncUrl, 'atk-schema', key, cloud.cloudKey);
    const { sign } = await import('@annex/protocol');
    const base = site.seal({ type: 'study.available', seq: 1, body: studyBody('schema') });
    const { sig: _s, ...unsigned } = base;
    const withExtra = { ...unsigned, note: 'DOE^JOHN' };
    site.sendRaw({ ...withExtra, sig: sign(withExtra as never, key.privateKey) });
    const bodyExtra = { ...unsigned, body: { ...unsigned.body, patientName: 'DOE^JOHN' } };
    site.sendRaw({ ...bodyExtra, sig: sign(bodyExtra as never, key.privateKey) });
    const planted = {
      ...unsigned,
      body: { ...unsigned.body, series: [{ ...studyBody('schema').series[0], modality: 'DOE^JOHN' }] },
    };
    site.sendRaw({ ...planted, sig: sign(planted as never, key.privateKey) });
    await probe(site, 1);
    const rows = await cloud.prisma.rejectionCount.findMany({ where: { siteId: 'atk-schema' } });
    expect(rows.map((r) => [r.reason, Number(r.count), Number(r.alarms)])).toEqual([
      ['SCHEMA_INVALID', 3, 3],
    ]);
    const rowsJson = await cloud.prisma.inboxMessage.findMany({ where: { siteId: 'atk-schema' } });
    const dump = JSON.stringify(rowsJson, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(dump).not.toContain('DOE');
    site.close();
  });

  it('duplicates and replays are REPLAYED; a reordered frame triggers sync.resend; all applied once, in order', async () => {
    const key = await registerTestSite(cloud, 'atk-order');
    let site = await FakeSite.connect(cloud.syncUrl, 'atk-order', key, cloud.cloudKey);
    const m = (seq: number) => site.seal({ type: 'study.available', seq, body: studyBody(`order-${seq}`) });
    const m1 = m(1);
    site.send(m1);
    site.send(m1); // duplicate in flight
    await site.waitForAck(1);
    site.send(m(3)); // 2 is "late"
    await site.waitFor((r) => r.some((e) => e.type === 'sync.resend' && e.body.fromSeq === 2));
    site.send(m(2));
    site.send(m(3));
    await site.waitForAck(3);
    site.close();
    // A recorded frame replayed on a new connection.
    site = await FakeSite.connect(cloud.syncUrl, 'atk-order', key, cloud.cloudKey);
    expect(site.lastAppliedSeq).toBe(3);
    site.send(m1);
    await probe(site, 4);
    const c = await counts('atk-order');
    expect(c.REPLAYED).toBeGreaterThanOrEqual(2);
    expect(c.SEQUENCE_GAP).toBeGreaterThanOrEqual(1);
    expect(await applied('atk-order')).toEqual([1, 2, 3, 4]);
    const metrics = await cloud.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/annex_cloud_sync_rejections_total\{reason="REPLAYED"\} [1-9]/);
    site.close();
  });

  it('refuses a handshake with an unregistered key and closes the connection', async () => {
    await registerTestSite(cloud, 'atk-hello');
    const impostor = generateKeyPair();
    await expect(FakeSite.connect(cloud.syncUrl, 'atk-hello', impostor, cloud.cloudKey)).rejects.toThrow(
      /4001/,
    );
    expect(await counts('atk-hello')).toMatchObject({ UNKNOWN_KEY: 1 });
  });

  it('drops the connection that proved a key the moment that key is revoked', async () => {
    const key = await registerTestSite(cloud, 'atk-revoke');
    const site = await FakeSite.connect(cloud.syncUrl, 'atk-revoke', key, cloud.cloudKey);
    await probe(site, 1);
    const res = await cloud.app.inject({
      method: 'POST',
      url: `/api/admin/sites/atk-revoke/keys/${key.kid}/revoke`,
      headers: await cloud.auth('cloudadmin'),
    });
    expect(res.statusCode).toBe(200);
    expect((await site.waitClosed()).code).toBe(4003);
    await expect(FakeSite.connect(cloud.syncUrl, 'atk-revoke', key, cloud.cloudKey)).rejects.toThrow(/4001/);
    expect(await counts('atk-revoke')).toMatchObject({ KEY_REVOKED: 1 });
  });
});

describe('key rotation', () => {
  it('accepts old and new key during the overlap, and only the new one after it ends', async () => {
    const a = await registerTestSite(cloud, 'rot-site');
    const site = await FakeSite.connect(cloud.syncUrl, 'rot-site', a, cloud.cloudKey);
    const b = generateKeyPair();
    await rotateSiteKey(cloud.prisma, 'rot-site', exportPublicKeyPem(b.publicKey), 3_600_000);
    await cloud.app.hub.keysChanged('rot-site');
    site.send(site.seal({ type: 'study.available', seq: 1, body: studyBody('rot-1') }));
    site.send(new FakeSiteSigner(site, b).seal(2, studyBody('rot-2')));
    await site.waitForAck(2);
    // The next rotation with no overlap ends A and B at once.
    const c = generateKeyPair();
    await rotateSiteKey(cloud.prisma, 'rot-site', exportPublicKeyPem(c.publicKey), 0);
    await cloud.app.hub.keysChanged('rot-site');
    await new Promise((r) => setTimeout(r, 20));
    site.send(new FakeSiteSigner(site, b).seal(3, studyBody('rot-3')));
    site.send(new FakeSiteSigner(site, c).seal(3, studyBody('rot-3c')));
    await site.waitForAck(3);
    expect(await counts('rot-site')).toMatchObject({ KEY_EXPIRED: 1 });
    expect(await applied('rot-site')).toEqual([1, 2, 3]);
    site.close();
  });
});

/** Signs as the fake site's siteId with another key (for key-state tests). */
class FakeSiteSigner {
  constructor(
    private readonly site: FakeSite,
    private readonly key: { kid: string; privateKey: import('node:crypto').KeyObject },
  ) {}
  seal(seq: number, body: ReturnType<typeof studyBody>) {
    return this.site.seal({
      type: 'study.available',
      seq,
      body,
      kid: this.key.kid,
      privateKey: this.key.privateKey,
    });
  }
}
