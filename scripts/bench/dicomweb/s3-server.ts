// Child process of the benchmark: an S3 server (s3rver) of its own, so object storage does not share the site's
// event loop (as MinIO or any real S3 would not). Prints one JSON line with its endpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

const directory = mkdtempSync(join(tmpdir(), 'annex-bench-s3-'));
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
const address = (await server.run()) as AddressInfo;
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${address.port}` })}\n`);
const stop = async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
