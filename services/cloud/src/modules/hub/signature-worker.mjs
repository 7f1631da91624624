// Ed25519 verification thread of the cloud hub (see signature-pool.ts). Plain JavaScript so that it
// runs under any loader. Input per job: one transferred buffer holding, per check, the signed bytes
// followed by the 64-byte signature; `lengths` gives each check's signed-bytes length and
// `keyIndex` its public key among `keys` (SPKI DER). Output: one byte per check, 1 = valid.
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SIGNATURE_BYTES = 64;
const keyCache = new Map();
const MAX_CACHED_KEYS = 1024;

function keyOf(der) {
  const id = Buffer.from(der).toString('base64');
  let key = keyCache.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

parentPort.on('message', ({ id, buffer, lengths, keyIndex, keys }) => {
  const bytes = Buffer.from(buffer);
  const publicKeys = keys.map(keyOf);
  const valid = new Uint8Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const data = bytes.subarray(at, at + lengths[i]);
    at += lengths[i];
    const signature = bytes.subarray(at, at + SIGNATURE_BYTES);
    at += SIGNATURE_BYTES;
    try {
      valid[i] = verify(null, data, publicKeys[keyIndex[i]], signature) ? 1 : 0;
    } catch {
      valid[i] = 0;
    }
  }
  parentPort.postMessage({ id, valid }, [valid.buffer]);
});
