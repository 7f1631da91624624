// An S3 server (s3rver) in its own process, so the site under test does not share its event loop
// with the fake S3. Prints {"endpoint": ...} when ready; removes its directory on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

const directory = mkdtempSync(path.join(tmpdir(), 'annex-bench-s3-'));
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
const address = (await server.run()) as AddressInfo;
console.log(JSON.stringify({ endpoint: `http://127.0.0.1:${address.port}` }));
process.on('SIGTERM', async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
});
