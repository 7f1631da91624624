import type { KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { exportPrivateKeyPem, exportPublicKeyPem, parsePrivateKey, parsePublicKey } from './keys.ts';

// The package's only file I/O: private keys live in files (or env), never in a database.

export function loadPrivateKeyFile(path: string): KeyObject {
  return parsePrivateKey(readFileSync(path, 'utf8'));
}

export function loadPublicKeyFile(path: string): KeyObject {
  return parsePublicKey(readFileSync(path, 'utf8'));
}

/** Writes a PKCS#8 PEM readable by the owner only; refuses to overwrite an existing key. */
export function writePrivateKeyFile(path: string, privateKey: KeyObject): void {
  writeFileSync(path, exportPrivateKeyPem(privateKey), { mode: 0o600, flag: 'wx' });
}

export function writePublicKeyFile(path: string, publicKey: KeyObject): void {
  writeFileSync(path, exportPublicKeyPem(publicKey), { mode: 0o644, flag: 'wx' });
}
