import type { Readable } from 'node:stream';
import { Client } from 'minio';
import type { ObjectStore } from './object-store.ts';

export interface S3Settings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
  partSize: number;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function createMinioStore(settings: S3Settings): ObjectStore {
  const url = new URL(settings.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    useSSL: url.protocol === 'https:',
    accessKey: settings.accessKey,
    secretKey: settings.secretKey,
    region: settings.region,
    partSize: settings.partSize,
    pathStyle: true,
  });
  const bucket = settings.bucket;
  return {
    async ensureBucket() {
      if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket, settings.region);
    },
    async put(key, body, size) {
      await client.putObject(bucket, key, body, size, { 'Content-Type': 'application/dicom' });
    },
    get: (key) => client.getObject(bucket, key),
    getBuffer: async (key) => collect(await client.getObject(bucket, key)),
    getRange: async (key, offset, length) =>
      collect(await client.getPartialObject(bucket, key, offset, length)),
    async delete(key) {
      await client.removeObject(bucket, key);
    },
    async *list(prefix) {
      for await (const item of client.listObjectsV2(bucket, prefix, true)) {
        if (item.name) yield { key: item.name, size: item.size, lastModified: item.lastModified };
      }
    },
    async ping() {
      await client.bucketExists(bucket);
    },
  };
}
