import type { Readable } from 'node:stream';

/**
 * The only door to object storage. Anything S3-compatible (MinIO, SeaweedFS, Ceph RGW, AWS)
 * works behind it. Keys are random (see object-key.ts): never PHI, never UIDs.
 */
export interface ObjectStore {
  ensureBucket(): Promise<void>;
  put(key: string, body: Buffer | Readable, size?: number): Promise<void>;
  get(key: string): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<{ key: string; size: number; lastModified: Date }>;
  ping(): Promise<void>;
}
