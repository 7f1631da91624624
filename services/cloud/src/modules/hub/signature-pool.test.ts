import { generateKeyPairSync, sign } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { checkSignature, type SignatureCheck } from '@annex/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SignaturePool } from './signature-pool.ts';

const signer = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

function signed(n: number): SignatureCheck {
  const data = Buffer.from(`{"seq":${n},"type":"study.available","body":"${'x'.repeat(n % 700)}"}`);
  return { data, signature: sign(null, data, signer.privateKey), publicKey: signer.publicKey };
}

/** Valid ones and every way of being invalid, interleaved. */
function mixed(count: number): SignatureCheck[] {
  return Array.from({ length: count }, (_, i) => {
    const c = signed(i);
    switch (i % 5) {
      case 1: {
        const data = Buffer.from(c.data);
        data[data.length >> 1]! ^= 1;
        return { ...c, data };
      }
      case 2: {
        const signature = Buffer.from(c.signature);
        signature[7]! ^= 0x80;
        return { ...c, signature };
      }
      case 3:
        return { ...c, publicKey: stranger.publicKey };
      case 4:
        return { ...c, signature: c.signature.subarray(0, 63) };
      default:
        return c;
    }
  });
}

const pools: SignaturePool[] = [];
const poolOf = (threads: number) => {
  const pool = new SignaturePool(threads);
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('SignaturePool', () => {
  it.each([0, 1, 3])('with %i thread(s) answers each check exactly as node:crypto does', async (threads) => {
    const checks = mixed(500);
    const expected = checks.map((c) => c.signature.length === 64 && checkSignature(c));
    expect(expected.filter(Boolean)).toHaveLength(100); // the valid fifth
    const pool = poolOf(threads);
    // One burst (one turn of the event loop, split over the threads), then a second one.
    const first = await Promise.all(checks.slice(0, 300).map((c) => pool.verify(c)));
    const second = await Promise.all(checks.slice(300).map((c) => pool.verify(c)));
    expect([...first, ...second]).toEqual(expected);
  });

  it('keeps answering when a thread dies with checks in flight (verified on the event loop)', async () => {
    const pool = poolOf(1);
    await pool.verify(signed(0)); // the thread is up
    const checks = mixed(1500); // ~0.2 s of verifying: still in flight when the thread goes
    const answers = Promise.all(checks.map((c) => pool.verify(c)));
    await new Promise((r) => setImmediate(r)); // the burst was posted to the thread
    // Reaching into the pool: the one way to kill its thread from outside.
    const { threads } = pool as unknown as { threads: Array<{ worker: Worker }> };
    await threads[0]!.worker.terminate();
    expect(await answers).toEqual(checks.map((c) => c.signature.length === 64 && checkSignature(c)));
    // and a new thread takes the next checks
    expect(await pool.verify(signed(1))).toBe(true);
    expect(await pool.verify(mixed(2)[1]!)).toBe(false);
  });

  it('answers checks asked for while closing, and after', async () => {
    const pool = new SignaturePool(2);
    const during = Promise.all(mixed(50).map((c) => pool.verify(c)));
    await pool.close();
    expect((await during).filter(Boolean)).toHaveLength(10);
    expect(await pool.verify(signed(3))).toBe(true);
  });

  it('refuses a key that is not Ed25519 instead of failing', async () => {
    const x25519 = generateKeyPairSync('x25519');
    const pool = poolOf(1);
    expect(await pool.verify({ ...signed(4), publicKey: x25519.publicKey })).toBe(false);
    expect(await pool.verify(signed(5))).toBe(true);
  });
});
