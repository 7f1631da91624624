import { describe, expect, it } from 'vitest';
import { validBodies } from '../test/fixtures.ts';
import type { Envelope } from './envelope.ts';
import { encodeFrame, parseFrame } from './frame.ts';
import { type KeyRecord, keyRing } from './key-ring.ts';
import { generateKeyPair } from './keys.ts';
import type { MessageType } from './message-registry.ts';
import { ProtocolError } from './reject-reason.ts';
import { createEnvelope, sealEnvelope, sign } from './sign-envelope.ts';
import {
  authenticateEnvelope,
  type VerifyContext,
  verifyEnvelope,
  verifyEnvelopeSignature,
} from './verify-envelope.ts';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');
const MIN = 60_000;
const site = generateKeyPair();
const other = generateKeyPair();
const record: KeyRecord = {
  kid: site.kid,
  publicKey: site.publicKey,
  notBefore: NOW - 86_400_000,
  notAfter: NOW + 86_400_000,
};

const ctx = (over: Partial<VerifyContext & { highWaterMark: number }> = {}) => ({
  expectedDir: 's2c' as const,
  expectedSiteId: 'st-olav',
  keys: keyRing([record]),
  now: NOW,
  highWaterMark: 4,
  ...over,
});

function seal<T extends MessageType>(type: T, seq = 5, over: { sentAt?: number; siteId?: string } = {}) {
  return sealEnvelope(
    {
      type,
      body: validBodies[type],
      siteId: over.siteId ?? 'st-olav',
      dir: 's2c',
      seq,
      kid: site.kid,
      sentAt: over.sentAt ?? NOW,
    },
    site.privateKey,
  );
}

/** What the receiver gets off the wire. */
const wire = (env: object) => JSON.parse(JSON.stringify(env)) as Record<string, unknown>;
const resign = (env: Record<string, unknown>) => {
  const { sig: _s, ...rest } = env;
  return { ...rest, sig: sign(rest as never, site.privateKey) };
};

describe('verifyEnvelope', () => {
  it('accepts the next message in sequence and returns the typed, parsed body', () => {
    const result = verifyEnvelope(wire(seal('study.available')), ctx());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.envelope.type).toBe('study.available');
    expect(result.envelope.body).toEqual(validBodies['study.available']);
  });

  it('accepts a frame whose keys arrive in another order (the signature is over canonical JSON)', () => {
    const env = seal('site.status');
    const reordered = Object.fromEntries(Object.entries(wire(env)).reverse());
    const frame = parseFrame(JSON.stringify(reordered));
    expect(frame.ok && verifyEnvelope(frame.value, ctx()).ok).toBe(true);
    const viaEncode = parseFrame(Buffer.from(encodeFrame(env)));
    expect(viaEncode.ok && verifyEnvelope(viaEncode.value, ctx()).ok).toBe(true);
  });

  it('rejects a body with one byte flipped as BAD_SIGNATURE, and alarms', () => {
    const text = encodeFrame(seal('study.available'));
    const i = text.indexOf('"instanceCount":120') + '"instanceCount":12'.length;
    const flipped = `${text.slice(0, i)}1${text.slice(i + 1)}`; // 120 → 121
    const frame = parseFrame(flipped);
    const result = frame.ok ? verifyEnvelope(frame.value, ctx()) : frame;
    expect(result).toMatchObject({
      ok: false,
      reason: 'BAD_SIGNATURE',
      alarm: true,
      signatureVerified: false,
    });
  });

  it('rejects a signature with one byte flipped as BAD_SIGNATURE', () => {
    const env = wire(seal('study.available'));
    const sig = Buffer.from(env.sig as string, 'base64url');
    sig[10]! ^= 0x01;
    env.sig = sig.toString('base64url');
    expect(verifyEnvelope(env, ctx())).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a message signed by another key that claims this kid', () => {
    const env = seal('site.status');
    const { sig: _s, ...rest } = env;
    const forged = { ...rest, sig: sign(rest, other.privateKey) };
    expect(verifyEnvelope(wire(forged), ctx())).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a replayed message (seq at or below the high-water mark) as REPLAYED without alarm', () => {
    const env = wire(seal('site.status', 4));
    expect(verifyEnvelope(env, ctx())).toMatchObject({ ok: false, reason: 'REPLAYED', alarm: false });
    expect(verifyEnvelope(wire(seal('site.status', 2)), ctx())).toMatchObject({ reason: 'REPLAYED' });
  });

  it('rejects a message that skips ahead as SEQUENCE_GAP and names the seq to resend from', () => {
    expect(verifyEnvelope(wire(seal('site.status', 7)), ctx())).toMatchObject({
      ok: false,
      reason: 'SEQUENCE_GAP',
      expectedSeq: 5,
    });
  });

  it('applies reordered frames only in order: 6 before 5 is a gap, then 5 and 6 pass', () => {
    const m5 = wire(seal('site.status', 5));
    const m6 = wire(seal('site.status', 6));
    let hwm = 4;
    expect(verifyEnvelope(m6, ctx({ highWaterMark: hwm }))).toMatchObject({ reason: 'SEQUENCE_GAP' });
    for (const m of [m5, m6]) {
      const r = verifyEnvelope(m, ctx({ highWaterMark: hwm }));
      expect(r.ok).toBe(true);
      if (r.ok) hwm = r.envelope.seq;
    }
    expect(verifyEnvelope(m5, ctx({ highWaterMark: hwm }))).toMatchObject({ reason: 'REPLAYED' });
  });

  it.each([
    ['+10 minutes', 10 * MIN],
    ['-10 minutes', -10 * MIN],
  ])('rejects a sentAt %s away from now as CLOCK_SKEW', (_n, offset) => {
    expect(verifyEnvelope(wire(seal('site.status', 5, { sentAt: NOW + offset })), ctx())).toMatchObject({
      ok: false,
      reason: 'CLOCK_SKEW',
    });
  });

  it('accepts ±4 minutes with the default window and honours a configured window', () => {
    expect(verifyEnvelope(wire(seal('site.status', 5, { sentAt: NOW - 4 * MIN })), ctx()).ok).toBe(true);
    expect(verifyEnvelope(wire(seal('site.status', 5, { sentAt: NOW + 4 * MIN })), ctx()).ok).toBe(true);
    expect(
      verifyEnvelope(wire(seal('site.status', 5, { sentAt: NOW + 2 * MIN })), ctx({ skewMs: MIN })),
    ).toMatchObject({ reason: 'CLOCK_SKEW' });
  });

  it('rejects a signed message with an extra body field as SCHEMA_INVALID and alarms', () => {
    const env = wire(seal('study.available'));
    (env.body as Record<string, unknown>).patientName = 'DOE^JANE';
    const result = verifyEnvelope(resign(env), ctx());
    expect(result).toMatchObject({
      ok: false,
      reason: 'SCHEMA_INVALID',
      signatureVerified: true,
      alarm: true,
    });
    expect(JSON.stringify(result)).not.toMatch(/DOE|JANE|patientName/i);
  });

  it('rejects a signed message with an extra envelope field as SCHEMA_INVALID and alarms', () => {
    const env = wire(seal('site.status'));
    env['DOE^JANE'] = 1;
    const result = verifyEnvelope(resign(env), ctx());
    expect(result).toMatchObject({
      ok: false,
      reason: 'SCHEMA_INVALID',
      signatureVerified: true,
      alarm: true,
    });
    expect(JSON.stringify(result)).not.toMatch(/DOE|JANE/);
  });

  it('rejects an extra field added after signing as BAD_SIGNATURE', () => {
    const env = wire(seal('study.available'));
    (env.body as Record<string, unknown>).extra = 1;
    expect(verifyEnvelope(env, ctx())).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects an unknown key id as UNKNOWN_KEY', () => {
    const env = sealEnvelope(
      {
        type: 'site.status',
        body: validBodies['site.status'],
        siteId: 'st-olav',
        dir: 's2c',
        seq: 5,
        kid: other.kid,
        sentAt: NOW,
      },
      other.privateKey,
    );
    expect(verifyEnvelope(wire(env), ctx())).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
  });

  it('rejects a key past its validity as KEY_EXPIRED and one not yet valid as KEY_NOT_YET_VALID', () => {
    const expired = keyRing([{ ...record, notAfter: NOW - MIN * 10 }]);
    expect(verifyEnvelope(wire(seal('site.status')), ctx({ keys: expired }))).toMatchObject({
      reason: 'KEY_EXPIRED',
    });
    const future = keyRing([{ ...record, notBefore: new Date(NOW + MIN * 10) }]);
    expect(verifyEnvelope(wire(seal('site.status')), ctx({ keys: future }))).toMatchObject({
      reason: 'KEY_NOT_YET_VALID',
    });
  });

  it('accepts a message signed just before the key expired that arrives just after (rotation overlap)', () => {
    const ring = keyRing([{ ...record, notAfter: NOW - 1000 }]);
    const env = wire(seal('site.status', 5, { sentAt: NOW - 2000 }));
    expect(verifyEnvelope(env, ctx({ keys: ring })).ok).toBe(true);
  });

  it('rejects a revoked key as KEY_REVOKED with an alarm, but not before the revocation time', () => {
    const revoked = keyRing([{ ...record, revokedAt: NOW - 1 }]);
    expect(verifyEnvelope(wire(seal('site.status')), ctx({ keys: revoked }))).toMatchObject({
      reason: 'KEY_REVOKED',
      alarm: true,
    });
    const later = keyRing([{ ...record, revokedAt: NOW + MIN }]);
    expect(verifyEnvelope(wire(seal('site.status')), ctx({ keys: later })).ok).toBe(true);
  });

  it('rejects a message for another site as WRONG_SITE, even when correctly signed', () => {
    const env = wire(seal('site.status', 5, { siteId: 'other-site' }));
    expect(verifyEnvelope(env, ctx())).toMatchObject({ ok: false, reason: 'WRONG_SITE', alarm: true });
  });

  it('rejects a site→cloud message arriving at a site as WRONG_DIRECTION', () => {
    const env = wire(seal('site.status'));
    expect(verifyEnvelope(env, ctx({ expectedDir: 'c2s' }))).toMatchObject({ reason: 'WRONG_DIRECTION' });
  });

  it('rejects a cloud-only type sent site→cloud, even when signed', () => {
    const env = wire(seal('site.status'));
    env.type = 'qc.decision';
    env.body = validBodies['qc.decision'];
    expect(verifyEnvelope(resign(env), ctx())).toMatchObject({ reason: 'WRONG_DIRECTION' });
  });

  it('rejects another protocol version as UNSUPPORTED_VERSION', () => {
    const env = wire(seal('site.status'));
    env.v = 2;
    expect(verifyEnvelope(resign(env), ctx())).toMatchObject({ ok: false, reason: 'UNSUPPORTED_VERSION' });
  });

  it('rejects an unknown message type as SCHEMA_INVALID', () => {
    const env = wire(seal('site.status'));
    env.type = 'study.deleted';
    expect(verifyEnvelope(resign(env), ctx())).toMatchObject({ reason: 'SCHEMA_INVALID', alarm: true });
  });

  it('rejects non-objects, missing fields, bad JSON and oversized frames as SCHEMA_INVALID', () => {
    expect(verifyEnvelope(null, ctx())).toMatchObject({ reason: 'SCHEMA_INVALID' });
    expect(verifyEnvelope([1], ctx())).toMatchObject({ reason: 'SCHEMA_INVALID' });
    expect(verifyEnvelope({ v: 1 }, ctx())).toMatchObject({ reason: 'SCHEMA_INVALID' });
    expect(verifyEnvelope({ seq: 1 }, ctx())).toMatchObject({ reason: 'SCHEMA_INVALID' });
    expect(parseFrame('{"v":1,')).toMatchObject({ ok: false, reason: 'SCHEMA_INVALID' });
    expect(parseFrame('x'.repeat(100), 10)).toMatchObject({ ok: false, reason: 'SCHEMA_INVALID' });
  });

  it('rejects a deeply nested body as SCHEMA_INVALID instead of crashing', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const text = encodeFrame(seal('site.status')).replace(
      /"body":\{[^}]*\{[^}]*\}[^\]]*\][^}]*\}/,
      `"body":${deep}`,
    );
    expect(text).toContain('[[[[');
    const frame = parseFrame(text);
    const result = frame.ok ? verifyEnvelope(frame.value, ctx()) : frame;
    expect(result).toMatchObject({ ok: false, reason: 'SCHEMA_INVALID' });
  });

  it('passes an unsequenced sync.ack with seq 0 without looking at the high-water mark', () => {
    const ack = sealEnvelope(
      {
        type: 'sync.ack',
        body: { upToSeq: 9 },
        siteId: 'st-olav',
        dir: 's2c',
        seq: 0,
        kid: site.kid,
        sentAt: NOW,
      },
      site.privateKey,
    );
    const result = verifyEnvelope(wire(ack), ctx({ highWaterMark: 100 }));
    expect(result).toMatchObject({ ok: true, sequenced: false });
  });

  it('authenticateEnvelope leaves the sequence to the caller', () => {
    const result = authenticateEnvelope(wire(seal('site.status', 99)), ctx());
    expect(result.ok && result.envelope.seq).toBe(99);
  });

  it('looks up keys under the connection’s peer, not the siteId the message claims', () => {
    const seen: string[] = [];
    const keys = (kid: string, peer: string) => {
      seen.push(peer);
      return kid === site.kid ? record : undefined;
    };
    verifyEnvelope(wire(seal('site.status', 5, { siteId: 'other-site' })), ctx({ keys }));
    expect(seen).toEqual(['st-olav']);
  });
});

describe('verifyEnvelopeSignature (audit of stored messages)', () => {
  it('confirms a stored envelope long after its clock window, and refuses an altered one', () => {
    const stored = wire(seal('study.available', 5, { sentAt: NOW - 86_400_000 * 30 }));
    expect(verifyEnvelopeSignature(stored, site.publicKey)).toBe(true);
    expect(verifyEnvelopeSignature(stored, other.publicKey)).toBe(false);
    (stored.body as { studyId: string }).studyId = validBodies['task.upserted'].studyId.replace(
      'st_',
      'st_x',
    );
    expect(verifyEnvelopeSignature(stored, site.publicKey)).toBe(false);
    expect(verifyEnvelopeSignature({ sig: 'nope' }, site.publicKey)).toBe(false);
  });
});

describe('cloud → site', () => {
  const cloud = generateKeyPair();
  const cloudRing = keyRing([{ kid: cloud.kid, publicKey: cloud.publicKey }]);
  const command = () =>
    sealEnvelope(
      {
        type: 'qc.decision',
        body: validBodies['qc.decision'],
        siteId: 'st-olav',
        dir: 'c2s',
        seq: 1,
        kid: cloud.kid,
        sentAt: NOW,
      },
      cloud.privateKey,
    );
  const siteCtx = {
    expectedDir: 'c2s' as const,
    expectedSiteId: 'st-olav',
    keys: cloudRing,
    now: NOW,
    highWaterMark: 0,
  };

  it('lets a site verify a command signed by the cloud key', () => {
    const result = verifyEnvelope(wire(command()), siteCtx);
    expect(result.ok && result.envelope.type === 'qc.decision' && result.envelope.body.verdict.kind).toBe(
      'rework',
    );
  });

  it('rejects a cloud command reflected back to the cloud (its key is not in the site ring)', () => {
    expect(verifyEnvelope(wire(command()), ctx({ highWaterMark: 0 }))).toMatchObject({
      reason: 'UNKNOWN_KEY',
    });
  });

  it('rejects a command meant for another site', () => {
    expect(verifyEnvelope(wire(command()), { ...siteCtx, expectedSiteId: 'other-site' })).toMatchObject({
      reason: 'WRONG_SITE',
    });
  });
});

describe('createEnvelope', () => {
  const base = { siteId: 'st-olav', kid: site.kid, sentAt: NOW } as const;

  it('refuses a body that does not validate, without quoting its values', () => {
    try {
      createEnvelope({
        ...base,
        type: 'task.upserted',
        dir: 's2c',
        seq: 1,
        body: { ...validBodies['task.upserted'], labelIds: ['DOE^JANE'] },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('SCHEMA_INVALID');
      expect((err as Error).message).toContain('body.labelIds.0');
      expect((err as Error).message).not.toContain('DOE');
    }
  });

  it('refuses a type in the wrong direction and the wrong seq for sequenced and control types', () => {
    expect(() => createEnvelope({ ...base, type: 'ping', dir: 's2c', seq: 1, body: {} })).toThrow(
      /does not travel/,
    );
    expect(() => createEnvelope({ ...base, type: 'ping', dir: 'c2s', seq: 0, body: {} })).toThrow(/seq/);
    expect(() =>
      createEnvelope({ ...base, type: 'sync.ack', dir: 'c2s', seq: 3, body: { upToSeq: 1 } }),
    ).toThrow(/seq/);
  });

  it('signs deterministically: same envelope, same key, same signature', () => {
    const a: Envelope<'ping'> = sealEnvelope(
      { ...base, type: 'ping', dir: 'c2s', seq: 1, body: {} },
      site.privateKey,
    );
    const b = sealEnvelope({ ...base, type: 'ping', dir: 'c2s', seq: 1, body: {} }, site.privateKey);
    expect(a.sig).toBe(b.sig);
    expect(a.sentAt).toBe('2026-11-22T10:00:00.000Z');
  });
});
