import { describe, expect, it } from 'vitest';
import {
  createHello,
  createProof,
  createWelcome,
  verifyHello,
  verifyProof,
  verifyWelcome,
} from './handshake.ts';
import { keyRing } from './key-ring.ts';
import { generateKeyPair } from './keys.ts';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');
const site = generateKeyPair();
const cloud = generateKeyPair();
const stranger = generateKeyPair();
const siteKeys = keyRing([{ kid: site.kid, publicKey: site.publicKey }]);
const cloudKeys = keyRing([{ kid: cloud.kid, publicKey: cloud.publicKey }]);
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function handshake() {
  const hello = createHello('st-olav', site, NOW);
  const welcome = createWelcome(hello, cloud, 41, NOW);
  const proof = createProof(hello, welcome, site, 7);
  return { hello, welcome, proof };
}

describe('handshake', () => {
  it('lets both sides prove their keys and exchange resume points', () => {
    const { hello, welcome, proof } = handshake();
    const h = verifyHello(wire(hello), { keys: siteKeys, now: NOW });
    expect(h.ok).toBe(true);
    const w = verifyWelcome(wire(welcome), hello, { keys: cloudKeys, now: NOW });
    expect(w).toMatchObject({ ok: true, welcome: { lastAppliedSeq: 41 } });
    expect(verifyProof(wire(proof), hello, welcome, { keys: siteKeys, now: NOW })).toEqual({
      ok: true,
      siteId: 'st-olav',
      kid: site.kid,
      lastAppliedSeq: 7,
    });
  });

  it('uses a fresh nonce every time', () => {
    expect(createHello('st-olav', site, NOW).siteNonce).not.toBe(createHello('st-olav', site, NOW).siteNonce);
  });

  it('rejects a proof replayed from an earlier session against a new welcome', () => {
    const old = handshake();
    const fresh = createWelcome(old.hello, cloud, 41, NOW); // same hello replayed, new cloud nonce
    expect(verifyProof(wire(old.proof), old.hello, fresh, { keys: siteKeys, now: NOW })).toMatchObject({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('rejects a welcome that answers another hello (the site nonce is bound in)', () => {
    const { welcome } = handshake();
    const mine = createHello('st-olav', site, NOW);
    expect(verifyWelcome(wire(welcome), mine, { keys: cloudKeys, now: NOW })).toMatchObject({
      reason: 'BAD_SIGNATURE',
    });
  });

  it('rejects a welcome whose resume point was altered', () => {
    const { hello, welcome } = handshake();
    expect(
      verifyWelcome({ ...wire(welcome), lastAppliedSeq: 0 }, hello, { keys: cloudKeys, now: NOW }),
    ).toMatchObject({
      reason: 'BAD_SIGNATURE',
    });
  });

  it('rejects a welcome from a key that is not the cloud’s', () => {
    const hello = createHello('st-olav', site, NOW);
    const fake = createWelcome(hello, stranger, 0, NOW);
    expect(verifyWelcome(wire(fake), hello, { keys: cloudKeys, now: NOW })).toMatchObject({
      reason: 'UNKNOWN_KEY',
    });
  });

  it('rejects a proof signed by another key', () => {
    const { hello, welcome } = handshake();
    const proof = createProof(hello, welcome, { kid: site.kid, privateKey: stranger.privateKey }, 7);
    expect(verifyProof(wire(proof), hello, welcome, { keys: siteKeys, now: NOW })).toMatchObject({
      reason: 'BAD_SIGNATURE',
    });
  });

  it('rejects a hello with a revoked key, a skewed clock, a tampered site id or an extra field', () => {
    const hello = createHello('st-olav', site, NOW);
    const revoked = keyRing([{ kid: site.kid, publicKey: site.publicKey, revokedAt: NOW - 1 }]);
    expect(verifyHello(wire(hello), { keys: revoked, now: NOW })).toMatchObject({ reason: 'KEY_REVOKED' });
    expect(verifyHello(wire(hello), { keys: siteKeys, now: NOW + 10 * 60_000 })).toMatchObject({
      reason: 'CLOCK_SKEW',
    });
    expect(verifyHello({ ...wire(hello), siteId: 'other-site' }, { keys: siteKeys, now: NOW })).toMatchObject(
      {
        reason: 'BAD_SIGNATURE',
      },
    );
    expect(verifyHello({ ...wire(hello), extra: 1 }, { keys: siteKeys, now: NOW })).toMatchObject({
      reason: 'SCHEMA_INVALID',
    });
    expect(verifyHello({ ...wire(hello), v: 9 }, { keys: siteKeys, now: NOW })).toMatchObject({
      reason: 'UNSUPPORTED_VERSION',
    });
  });

  it('rejects a proof when the key was revoked during the handshake', () => {
    const { hello, welcome, proof } = handshake();
    const revoked = keyRing([{ kid: site.kid, publicKey: site.publicKey, revokedAt: NOW }]);
    expect(verifyProof(wire(proof), hello, welcome, { keys: revoked, now: NOW })).toMatchObject({
      reason: 'KEY_REVOKED',
    });
  });
});
