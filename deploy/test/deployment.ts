import { fileURLToPath } from 'node:url';

/** The repository root, where compose.yaml and the README's commands run. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Image size budgets in MB (as `docker image inspect` reports them, uncompressed). Measured at
 * 536 (site) and 524 (cloud) on the Debian-built Node base: Node itself is ~125, Debian ~80, the
 * Prisma runtime ~125. A change that grows an image past its budget must say why, here.
 */
export const IMAGE_BUDGET_MB = { site: 600, cloud: 600 } as const;
