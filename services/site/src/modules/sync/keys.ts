import {
  type KeyLookup,
  keyId,
  keyRing,
  loadPrivateKeyFile,
  loadPublicKeyFile,
  parsePrivateKey,
  parsePublicKey,
  publicKeyOf,
  type Signer,
} from '@annex/protocol';
import type { SyncConfig } from './config.ts';

/** The site's signing key, loaded once (file or env). */
export function loadSiteSigner(config: SyncConfig): Signer {
  const privateKey = config.SITE_SIGNING_KEY_FILE
    ? loadPrivateKeyFile(config.SITE_SIGNING_KEY_FILE)
    : parsePrivateKey(config.SITE_SIGNING_KEY ?? '');
  return { privateKey, kid: keyId(publicKeyOf(privateKey)) };
}

/** The cloud's public keys the site trusts (all of them during a cloud key rotation). */
export function loadCloudKeys(config: SyncConfig): KeyLookup {
  const keys = config.CLOUD_PUBLIC_KEYS.map((text) => parsePublicKey(text));
  if (config.CLOUD_PUBLIC_KEY_FILE) keys.push(loadPublicKeyFile(config.CLOUD_PUBLIC_KEY_FILE));
  return keyRing(keys.map((publicKey) => ({ kid: keyId(publicKey), publicKey })));
}
