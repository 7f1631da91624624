import type { onSendHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { taskIdentity } from '../tasks/identity.ts';
import { displayNameOf } from './display-name.ts';
import { recordDisplayName } from './repository.ts';

// The route whose success means "this person now works on a task here" (registered after this plugin).
const CLAIM_ROUTE = '/api/tasks/next';

/**
 * Where the site allows it (ANNOTATOR_NAMES_TO_CLOUD=1), records the display name of an annotator
 * from their token when they claim a task, and sends it to the cloud once per change. When off,
 * nothing is recorded and nothing but the pseudonym ever crosses.
 */
export const annotatorsPlugin = fp(
  async (app) => {
    if (!app.config.ANNOTATOR_NAMES_TO_CLOUD) return;
    const ids = taskIdentity(app.config.SITE_SECRET);
    const recordOnClaim: onSendHookHandler = async (request, reply, payload) => {
      const principal = request.principal;
      if (reply.statusCode !== 200 || !principal) return payload;
      const name = displayNameOf(principal);
      if (!name) return payload;
      try {
        await recordDisplayName(app.prisma, principal.sub, ids.user(principal.sub), name);
      } catch (err) {
        // The claim itself succeeded; a name that could not be recorded is retried on the next one.
        request.log.warn({ err }, 'annotator display name not recorded');
      }
      return payload;
    };
    // Attached to the claim route alone (registered after this plugin), not run on every request.
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (route.url !== CLAIM_ROUTE || !methods.includes('POST')) return;
      const existing = route.onSend ? (Array.isArray(route.onSend) ? route.onSend : [route.onSend]) : [];
      route.onSend = [...existing, recordOnClaim];
    });
  },
  { name: 'annotators', dependencies: ['prisma'] },
);
