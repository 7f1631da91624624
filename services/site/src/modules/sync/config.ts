import { parseEnv } from '@annex/platform';
import { SITE_ID_PATTERN } from '@annex/protocol';
import { z } from 'zod';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const ms = (min: number, max: number, dflt: number) =>
  z.coerce.number().int().min(min).max(max).default(dflt);

/**
 * Settings of the sync role, read only when that role runs (the site's main config ignores them).
 * Keys: the site's private key from a file or the env, never a database (issue 4 §4).
 */
export const syncEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    SITE_ID: z.string().regex(SITE_ID_PATTERN, 'a lowercase slug, as registered in the cloud'),
    CLOUD_SYNC_URL: z.url().regex(/^wss?:\/\//, 'must be a wss:// (or, for development, ws://) URL'),
    SYNC_ALLOW_INSECURE: z.enum(['0', '1']).default('0'),
    SITE_SIGNING_KEY_FILE: z.string().optional(),
    SITE_SIGNING_KEY: z.string().optional(),
    // The cloud's public keys (base64url raw, comma-separated): several during a rotation.
    CLOUD_PUBLIC_KEYS: list.default([]),
    CLOUD_PUBLIC_KEY_FILE: z.string().optional(),
    HTTPS_PROXY: z.string().optional(),
    https_proxy: z.string().optional(),
    NO_PROXY: list.optional(),
    no_proxy: list.optional(),
    SYNC_WINDOW: ms(1, 100_000, 4000),
    SYNC_SEND_BATCH: ms(1, 10_000, 1000),
    // Safety-net poll: committed outbox rows wake the agent through LISTEN/NOTIFY.
    SYNC_POLL_MS: ms(1, 60_000, 1000),
    SYNC_BACKOFF_BASE_MS: ms(10, 60_000, 500),
    SYNC_BACKOFF_MAX_MS: ms(100, 3_600_000, 30_000),
    SYNC_ACK_TIMEOUT_MS: ms(100, 600_000, 15_000),
    SYNC_CLOCK_SKEW_MS: ms(1000, 3_600_000, 300_000),
    SYNC_STATUS_INTERVAL_MS: ms(1000, 3_600_000, 60_000),
    SYNC_ANNOUNCE_INTERVAL_MS: ms(100, 3_600_000, 5_000),
    // A study is announced once no instance arrived for this long (ingest finished).
    SYNC_ANNOUNCE_QUIET_MS: ms(0, 3_600_000, 5_000),
  })
  .loose()
  .superRefine((env, ctx) => {
    if (!env.SITE_SIGNING_KEY_FILE && !env.SITE_SIGNING_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SITE_SIGNING_KEY_FILE'],
        message:
          'set SITE_SIGNING_KEY_FILE (or SITE_SIGNING_KEY); create one with `npm run annex -- keys generate`',
      });
    }
    if (env.CLOUD_PUBLIC_KEYS.length === 0 && !env.CLOUD_PUBLIC_KEY_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLOUD_PUBLIC_KEYS'],
        message: "set CLOUD_PUBLIC_KEYS (or CLOUD_PUBLIC_KEY_FILE) to the cloud's public key",
      });
    }
    if (
      env.NODE_ENV === 'production' &&
      env.CLOUD_SYNC_URL.startsWith('ws:') &&
      env.SYNC_ALLOW_INSECURE !== '1'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLOUD_SYNC_URL'],
        message: 'must be wss:// in production (SYNC_ALLOW_INSECURE=1 to override)',
      });
    }
  });

export type SyncConfig = z.infer<typeof syncEnvSchema>;

export const loadSyncConfig = (env: Record<string, string | undefined> = process.env): SyncConfig =>
  parseEnv(syncEnvSchema, env);
