import { initCodecs } from '@annex/dicom';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createDeidUidRepository } from '../deid-views/repository.ts';
import { createMaskTemplateRepository } from './mask-template-repository.ts';
import { Reidentifier } from './reidentifier.ts';
import { createReidentifyRepository } from './repository.ts';
import { reidentifyRoutes } from './routes.ts';

// Other API processes pick up template changes within this time (this one applies them at once).
const MASKING_REFRESH_MS = 60_000;

/** Re-identification for site admins, and the pixel masking policies (site, per project) fed into the annotator view. */
export const reidentifyPlugin = fp(
  async (app: FastifyInstance) => {
    const templates = createMaskTemplateRepository(app.prisma);
    const reidentifier = new Reidentifier(app.config.SITE_SECRET, createReidentifyRepository(app.prisma), {
      resolver: app.annotatorView.uids,
      lookup: createDeidUidRepository(app.prisma).lookup,
    });
    const reloadMasking = async () => {
      const [policy, projects] = await Promise.all([templates.policy(), templates.projectPolicies()]);
      // JPEG-family lossless masking needs the WASM codecs; load them only once masking is on somewhere.
      if ([policy, ...projects.values()].some((p) => p.enabled && p.templates.length)) await initCodecs();
      app.annotatorView.setPixelMasking(policy, projects);
    };
    reidentifyRoutes(app, reidentifier, templates, reloadMasking);
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      await reloadMasking();
      timer = setInterval(
        () => reloadMasking().catch((e) => app.log.warn({ err: e }, 'mask policy refresh failed')),
        MASKING_REFRESH_MS,
      );
      timer.unref();
    });
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'reidentify', dependencies: ['prisma', 'audit', 'annex-auth', 'dicomweb'] },
);
