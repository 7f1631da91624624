import { availableParallelism } from 'node:os';
import { parseEnv } from '@annex/platform';
import { z } from 'zod';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const port = z.coerce.number().int().min(1).max(65535);

/** Every setting of the cloud service, from the environment, validated in one place. */
export const cloudEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HTTP_HOST: z.string().default('0.0.0.0'),
    HTTP_PORT: port.default(8090),
    PUBLIC_URL: z.url().default('http://127.0.0.1:8090'),
    WEB_ORIGINS: list.default([]),
    // The dashboard's "open in site viewer" links: `siteId=https://viewer.inside.hospital,…` (reachable
    // only inside that hospital's network; the link carries pseudonymous ids only).
    SITE_VIEWER_URLS: list.default([]),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
    OIDC_ISSUER: z.url(),
    OIDC_AUDIENCE: z.string().default('annex-cloud'),
    OIDC_CLIENTS: list.default([]),
    OIDC_JWKS_URL: z.url().optional(),
    // Keycloak group path prefix that grants an organization: `/org/<slug>`.
    ORG_GROUP_PREFIX: z.string().default('/org/'),
    // The cloud's Ed25519 signing key: a file (PKCS#8 PEM or base64 seed) or the value itself.
    CLOUD_SIGNING_KEY_FILE: z.string().optional(),
    CLOUD_SIGNING_KEY: z.string().optional(),
    SYNC_CLOCK_SKEW_MS: z.coerce.number().int().min(1000).max(3_600_000).default(300_000),
    // Most sequenced messages applied in one database transaction.
    SYNC_APPLY_BATCH: z.coerce.number().int().min(1).max(5000).default(1000),
    // Threads that verify site frames' signatures (0: on the event loop). Default: cores - 1, 1 to 4.
    SYNC_VERIFY_THREADS: z.coerce
      .number()
      .int()
      .min(0)
      .max(64)
      .default(Math.max(1, Math.min(4, availableParallelism() - 1))),
    // How long a site's key list is cached by the hub before it is read again.
    SYNC_KEY_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  })
  .loose()
  .refine((env) => env.CLOUD_SIGNING_KEY_FILE || env.CLOUD_SIGNING_KEY, {
    path: ['CLOUD_SIGNING_KEY_FILE'],
    message:
      'set CLOUD_SIGNING_KEY_FILE (or CLOUD_SIGNING_KEY); create one with `npm run annex -- keys generate`',
  });

export type CloudConfig = z.infer<typeof cloudEnvSchema>;

export const loadCloudConfig = (env: Record<string, string | undefined> = process.env): CloudConfig =>
  parseEnv(cloudEnvSchema, env);
