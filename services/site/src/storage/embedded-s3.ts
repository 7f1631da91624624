import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface EmbeddedS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

/**
 * An in-process S3 protocol server (s3rver) for the demo and tests. It is a fake: it accepts wrong
 * signatures and has no multipart, object lock or versioning; deployments use a real S3 server.
 */
export async function startEmbeddedS3(
  options: { port?: number; directory?: string; address?: string } = {},
): Promise<EmbeddedS3> {
  const temporary = !options.directory;
  const directory = options.directory ?? mkdtempSync(path.join(tmpdir(), 'annex-s3-'));
  const address = options.address ?? '127.0.0.1';
  // Path-style only: with virtual-host buckets on, a host name such as `minio` would be read as a bucket.
  // (vhostBuckets is an s3rver option its type declarations lack.)
  const settings = { port: options.port ?? 0, address, silent: true, directory, vhostBuckets: false };
  const server = new S3rver(settings as ConstructorParameters<typeof S3rver>[0]);
  const bound = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${address}:${bound.port}`,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    async close() {
      await server.close();
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}
