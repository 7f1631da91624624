import { keyId, loadPrivateKeyFile, parsePrivateKey, publicKeyOf, type Signer } from '@annex/protocol';
import type { CloudConfig } from './config.ts';

/** The cloud's signing key, loaded once at start-up from a file or the environment. */
export function loadCloudSigner(
  config: Pick<CloudConfig, 'CLOUD_SIGNING_KEY_FILE' | 'CLOUD_SIGNING_KEY'>,
): Signer {
  const privateKey = config.CLOUD_SIGNING_KEY_FILE
    ? loadPrivateKeyFile(config.CLOUD_SIGNING_KEY_FILE)
    : parsePrivateKey(config.CLOUD_SIGNING_KEY ?? '');
  return { privateKey, kid: keyId(publicKeyOf(privateKey)) };
}
