import fp from 'fastify-plugin';
import { taskIdentity } from '../tasks/identity.ts';
import { projectSettingsHandler, qcDecisionHandler } from './apply-decision.ts';

/** Teaches the sync inbox how to apply the cloud's QC commands. */
export const decisionsPlugin = fp(
  async (app) => {
    const ids = taskIdentity(app.config.SITE_SECRET);
    app.syncCommands.register('qc.decision', qcDecisionHandler(ids, app.config.SITE_SECRET));
    app.syncCommands.register('project.settings', projectSettingsHandler(ids));
  },
  { name: 'decisions', dependencies: ['sync'] },
);
