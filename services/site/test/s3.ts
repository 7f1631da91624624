// Tests use the embedded s3rver; tests of what it fakes (signatures, multipart, object lock) need
// S3_ENDPOINT pointing at a real S3 server and say so.
export { type EmbeddedS3 as TestS3, startEmbeddedS3 as startTestS3 } from '../src/storage/embedded-s3.ts';
