import { parseEnv } from '@annex/platform';
import { z } from 'zod';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const port = z.coerce.number().int().min(1).max(65535);
const aeTitle = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, 'an AE title is 1-16 printable characters without backslash')
  .refine((s) => s.trim().length > 0, 'an AE title may not be blank');

export const ROLES = ['api', 'worker', 'dimse', 'sync'] as const;

/** Every setting of the site service, from the environment, validated in one place. */
export const siteEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ROLES: list.pipe(z.array(z.enum(ROLES)).min(1)).default(['api', 'worker', 'dimse']),
    HTTP_HOST: z.string().default('0.0.0.0'),
    HTTP_PORT: port.default(8080),
    PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
    WEB_ORIGINS: list.default([]),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/)
      .default('annex'),
    S3_ENDPOINT: z.url(),
    S3_ACCESS_KEY: z.string().min(1),
    S3_SECRET_KEY: z.string().min(1),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
      .default('annex-dicom'),
    S3_REGION: z.string().default('us-east-1'),
    // Objects of this size or smaller go up in one PUT (s3rver in tests cannot do multipart).
    S3_PART_SIZE: z.coerce
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .default(64 * 1024 * 1024),
    OIDC_ISSUER: z.url(),
    OIDC_AUDIENCE: z.string().default('annex-site'),
    OIDC_CLIENTS: list.default([]),
    OIDC_JWKS_URL: z.url().optional(),
    DIMSE_HOST: z.string().default('0.0.0.0'),
    DIMSE_PORT: port.default(11112),
    DIMSE_AE_TITLE: aeTitle.default('ANNEX'),
    DIMSE_UNKNOWN_CALLED_AE: z.enum(['reject', 'accept']).default('reject'),
    // Largest P-DATA PDU announced; big PDUs mean fewer parse rounds per instance.
    DIMSE_MAX_PDU: z.coerce
      .number()
      .int()
      .min(16_384)
      .max(4 * 1024 * 1024)
      .default(1024 * 1024),
    DIMSE_MAX_ASSOCIATIONS: z.coerce.number().int().min(1).default(64),
    DIMSE_ASSOCIATION_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(5 * 60_000),
    // SIGTERM: how long in-flight C-STOREs, HTTP requests and jobs get to finish before what is
    // left is cut. Under Kubernetes' default terminationGracePeriodSeconds (30 s).
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(25_000),
    // Keys every pseudonym and de-identified UID; losing it breaks re-identification.
    SITE_SECRET: z.string().min(32, 'must be at least 32 characters (use `openssl rand -hex 32`)'),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(8 * 1024 ** 3),
    INSTANCE_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(2 * 1024 ** 3),
    ZIP_MAX_ENTRIES: z.coerce.number().int().positive().default(100_000),
    ZIP_MAX_TOTAL_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(32 * 1024 ** 3),
    ZIP_MAX_RATIO: z.coerce.number().positive().default(200),
    ORPHAN_GRACE_SECONDS: z.coerce.number().int().positive().default(3600),
    // Send annotators' display names (from their tokens) to the cloud; off: only pseudonyms cross.
    // 1/0, true/false, yes/no, on/off (a config written back as strings must load again).
    ANNOTATOR_NAMES_TO_CLOUD: z.stringbool().default(false),
  })
  .loose();

export type SiteConfig = z.infer<typeof siteEnvSchema>;

export const loadSiteConfig = (env: Record<string, string | undefined> = process.env): SiteConfig =>
  parseEnv(siteEnvSchema, env);
