import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const siteRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the production bundle the site will serve, so end-to-end tests exercise exactly that. */
export async function buildApp(outDir = join(siteRoot, 'dist')): Promise<string> {
  if (process.env.ANNEX_SKIP_BUILD === '1') return outDir;
  await build({ root: siteRoot, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}
