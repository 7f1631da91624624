import { type DevIssuer, tokenVerifierFor } from '@annex/platform';
import type { CloudDeps } from './app.ts';
import { loadCloudSigner } from './cloud-signer.ts';
import type { CloudConfig } from './config.ts';
import { createPrisma } from './db.ts';

/** Builds the real infrastructure for a config, and one function that closes all of it. */
export function createCloudDeps(
  config: CloudConfig,
  devIssuer?: DevIssuer,
): CloudDeps & { close(): Promise<void> } {
  const prisma = createPrisma(config.DATABASE_URL);
  const verifyToken = tokenVerifierFor(config, devIssuer);
  return {
    prisma,
    signer: loadCloudSigner(config),
    verifyToken,
    ...(devIssuer ? { devIssuer } : {}),
    async close() {
      await prisma.$disconnect();
    },
  };
}
