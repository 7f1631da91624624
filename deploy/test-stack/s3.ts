// TEST STACK ONLY (compose.test.yaml): stands in for MinIO, which cannot be pulled here. s3rver, the
// S3 protocol server the demo embeds, on port 9000 with its data in a volume. It is a fake (no
// multipart, no object lock, accepts wrong signatures): the site's own S3 client code is what runs.
import { startEmbeddedS3 } from '../services/site/src/storage/embedded-s3.ts';

const s3 = await startEmbeddedS3({
  port: 9000,
  address: '0.0.0.0',
  directory: process.env.S3_DATA ?? '/data',
});
console.log(`S3 (s3rver) on ${s3.endpoint.replace('0.0.0.0', 'port')}, keys ${s3.accessKey}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void s3.close().then(() => process.exit(0)));
