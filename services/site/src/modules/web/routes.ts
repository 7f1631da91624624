import { fileURLToPath } from 'node:url';
import { webAppRoutes } from '@annex/platform';
import type { FastifyInstance } from 'fastify';

/** The viewer's build, served by the site on the same origin as the API and DICOMweb. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../../../web/site/dist', import.meta.url));

/** The annotator viewer at `/`, signing in against the same issuer the API trusts. */
export async function webRoutes(app: FastifyInstance, { root = DEFAULT_WEB_ROOT }: { root?: string } = {}) {
  await webAppRoutes(app, {
    root,
    buildHint: 'The viewer is not built: run `npm run build -w web/site`.',
    config: () => ({
      dicomwebUrl: '/dicomweb',
      // A task's images: the project root (the project's pseudonyms, only assigned studies).
      projectDicomwebUrl: '/dicomweb/projects/{projectId}',
      apiUrl: '/api',
      auth: {
        kind: 'oidc',
        issuer: app.config.OIDC_ISSUER,
        clientId: 'annex-viewer',
        scope: 'openid profile',
      },
    }),
  });
}
