import { DEFAULT_MAX_FRAME_BYTES } from '@annex/protocol';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';

/** The sync endpoint sites connect out to. Public: the handshake authenticates, not a token. */
export async function hubRoutes(app: FastifyInstance) {
  await app.register(websocket, { options: { maxPayload: DEFAULT_MAX_FRAME_BYTES } });
  app.get('/sync/v1', { websocket: true, config: { public: true }, schema: { hide: true } }, (socket) =>
    app.hub.attach(socket),
  );
  app.addHook('preClose', async () => app.hub.close());
}
