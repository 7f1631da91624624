import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadPrivateKeyFile,
  loadPublicKeyFile,
  writePrivateKeyFile,
  writePublicKeyFile,
} from './key-file.ts';
import { generateKeyPair, keyId, publicKeyOf } from './keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'annex-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key files', () => {
  it('writes the private key readable by its owner only and loads both keys back', () => {
    const { privateKey, publicKey, kid } = generateKeyPair();
    writePrivateKeyFile(join(dir, 'site.key'), privateKey);
    writePublicKeyFile(join(dir, 'site.pub'), publicKey);
    expect(statSync(join(dir, 'site.key')).mode & 0o777).toBe(0o600);
    expect(keyId(publicKeyOf(loadPrivateKeyFile(join(dir, 'site.key'))))).toBe(kid);
    expect(keyId(loadPublicKeyFile(join(dir, 'site.pub')))).toBe(kid);
  });

  it('refuses to overwrite an existing private key', () => {
    const path = join(dir, 'once.key');
    writePrivateKeyFile(path, generateKeyPair().privateKey);
    expect(() => writePrivateKeyFile(path, generateKeyPair().privateKey)).toThrow(/EEXIST/);
  });
});
