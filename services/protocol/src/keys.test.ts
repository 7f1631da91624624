import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  keyId,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromPem,
  privateKeyFromSeed,
  publicKeyFromPem,
  publicKeyFromRaw,
  publicKeyOf,
  rawPublicKey,
} from './keys.ts';
import { ProtocolError } from './reject-reason.ts';

// RFC 8032 section 7.1, TEST 1 (empty message).
const RFC8032 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

describe('keys', () => {
  it('derives the RFC 8032 public key and signature from a raw seed', () => {
    const priv = privateKeyFromSeed(Buffer.from(RFC8032.seed, 'hex'));
    expect(rawPublicKey(publicKeyOf(priv)).toString('hex')).toBe(RFC8032.publicKey);
    expect(sign(null, Buffer.alloc(0), priv).toString('hex')).toBe(RFC8032.signature);
    const pub = publicKeyFromRaw(Buffer.from(RFC8032.publicKey, 'hex'));
    expect(verify(null, Buffer.alloc(0), pub, Buffer.from(RFC8032.signature, 'hex'))).toBe(true);
  });

  it('computes the key id as base64url of the first 16 bytes of SHA-256 of the raw public key', () => {
    const raw = Buffer.from(RFC8032.publicKey, 'hex');
    const expected = createHash('sha256').update(raw).digest().subarray(0, 16).toString('base64url');
    expect(keyId(raw)).toBe(expected);
    expect(keyId(publicKeyFromRaw(raw))).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('generates distinct key pairs whose kid matches the public key', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.kid).not.toBe(b.kid);
    expect(a.kid).toBe(keyId(publicKeyOf(a.privateKey)));
  });

  it('round-trips keys through PEM and through env-style base64 seeds', () => {
    const { privateKey, publicKey, kid } = generateKeyPair();
    const priv = privateKeyFromPem(exportPrivateKeyPem(privateKey));
    expect(keyId(publicKeyOf(priv))).toBe(kid);
    expect(keyId(publicKeyFromPem(exportPublicKeyPem(publicKey)))).toBe(kid);
    expect(keyId(publicKeyOf(parsePrivateKey(`\n${exportPrivateKeyPem(privateKey)}\n`)))).toBe(kid);
    const seed = privateKey.export({ format: 'jwk' }).d!;
    expect(keyId(publicKeyOf(parsePrivateKey(seed)))).toBe(kid);
    expect(keyId(parsePublicKey(rawPublicKey(publicKey).toString('base64')))).toBe(kid);
  });

  it('refuses a non-Ed25519 key and garbage without echoing the input', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const rsaPem = rsa.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parsePrivateKey(rsaPem)).toThrow(ProtocolError);
    try {
      parsePrivateKey('secret-ish text that is no key');
      expect.unreachable();
    } catch (err) {
      expect((err as ProtocolError).code).toBe('KEY_INVALID');
      expect((err as Error).message).not.toContain('secret-ish');
    }
    expect(() => privateKeyFromSeed(Buffer.alloc(31))).toThrow(ProtocolError);
  });
});
