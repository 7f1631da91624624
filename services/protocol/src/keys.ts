import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { ProtocolError } from './reject-reason.ts';

// Ed25519 keys as node:crypto KeyObjects, created once at start-up and reused: parsing a PEM on
// every signature would cost more than the signature itself.

// DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS#8) or public key (SPKI), RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, kid: keyId(publicKey) };
}

/** Key id: base64url of the first 16 bytes of SHA-256 of the raw 32-byte public key. */
export function keyId(publicKey: KeyObject | Uint8Array): string {
  const raw = publicKey instanceof Uint8Array ? publicKey : rawPublicKey(publicKey);
  return createHash('sha256').update(raw).digest().subarray(0, 16).toString('base64url');
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new ProtocolError('KEY_INVALID', 'an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new ProtocolError('KEY_INVALID', 'an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function privateKeyFromPem(pem: string): KeyObject {
  return assertEd25519(createPrivateKey({ key: pem, format: 'pem' }), 'private');
}

export function publicKeyFromPem(pem: string): KeyObject {
  return assertEd25519(createPublicKey({ key: pem, format: 'pem' }), 'public');
}

/**
 * A private key as it is kept in a file or an env variable: PKCS#8 PEM, or the 32-byte seed in
 * base64/base64url. Throws ProtocolError('KEY_INVALID') without echoing the input.
 */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return privateKeyFromPem(trimmed);
    if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return privateKeyFromSeed(Buffer.from(trimmed, 'base64url'));
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
  }
  throw new ProtocolError(
    'KEY_INVALID',
    'not an Ed25519 private key (expected PKCS#8 PEM or a base64 32-byte seed)',
  );
}

/** A public key as PEM (SPKI) or raw 32 bytes in base64/base64url. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return publicKeyFromPem(trimmed);
    if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return publicKeyFromRaw(Buffer.from(trimmed, 'base64url'));
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
  }
  throw new ProtocolError('KEY_INVALID', 'not an Ed25519 public key (expected SPKI PEM or base64 32 bytes)');
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

export function exportPrivateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function exportPublicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length);
}

function assertEd25519(key: KeyObject, kind: 'private' | 'public'): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ProtocolError('KEY_INVALID', `expected an Ed25519 ${kind} key, got ${key.asymmetricKeyType}`);
  }
  return key;
}
