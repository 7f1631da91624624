import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const dashboardRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the production bundle the cloud serves, so browser tests exercise exactly that. */
export async function buildDashboard(outDir = join(dashboardRoot, 'dist')): Promise<string> {
  if (process.env.ANNEX_SKIP_BUILD === '1') return outDir;
  await build({ root: dashboardRoot, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}
