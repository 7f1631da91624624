import net, { type AddressInfo, type Socket } from 'node:net';
import dimse from 'dcmjs-dimse';
import type { FastifyInstance } from 'fastify';
import { ingestContextOf } from '../ingest/context.ts';
import { createAeRouteRepository } from '../routing/repository.ts';
import { resolveAeRoute } from '../routing/resolve-route.ts';
import { dimseMetrics } from './metrics.ts';
import { framePdusOnEmit } from './pdu-framing.ts';
import { AnnexScp } from './scp.ts';
import { dimseSettingsOf } from './settings.ts';

export interface DimseServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The C-STORE/C-ECHO SCP on DIMSE_HOST:DIMSE_PORT. We own the listening socket (dcmjs-dimse's
 * Server cannot bind a host, report an ephemeral port or set socket options) so that every
 * accepted socket gets TCP_NODELAY: without it each C-STORE response waits out Nagle + delayed ACK.
 */
export async function startDimseServer(
  app: FastifyInstance,
  overrides: { port?: number; host?: string } = {},
): Promise<DimseServer> {
  // The library logs AE titles, addresses and command datasets (UIDs); we log what we choose.
  dimse.log.setLevel('silent');
  const settings = dimseSettingsOf(app.config);
  const metrics = dimseMetrics(app.metrics);
  const routes = createAeRouteRepository(app.prisma);
  const policy = { ownAeTitle: app.config.DIMSE_AE_TITLE, unknownCalledAe: settings.DIMSE_UNKNOWN_CALLED_AE };
  const deps = {
    ingest: ingestContextOf(app),
    metrics,
    resolveRoute: (called: string, calling: string) => resolveAeRoute(routes, policy, called, calling),
    maxPdu: settings.DIMSE_MAX_PDU,
    instanceMaxBytes: app.config.INSTANCE_MAX_BYTES,
  };
  const options = {
    associationTimeout: settings.DIMSE_ASSOCIATION_TIMEOUT_MS,
    pduTimeout: settings.DIMSE_ASSOCIATION_TIMEOUT_MS,
  };
  const sockets = new Set<Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    if (sockets.size >= settings.DIMSE_MAX_ASSOCIATIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    metrics.open.inc();
    socket.once('close', () => {
      sockets.delete(socket);
      metrics.open.dec();
    });
    socket.on('error', () => socket.destroy());
    framePdusOnEmit(socket);
    const scp = new AnnexScp(socket, deps, options);
    scp.on('networkError', () => socket.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(overrides.port ?? app.config.DIMSE_PORT, overrides.host ?? app.config.DIMSE_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  app.log.info({ port, aeTitle: app.config.DIMSE_AE_TITLE }, 'DIMSE SCP listening');
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // In-flight associations get a moment to finish their current C-STORE, then are cut.
      const deadline = Date.now() + 5000;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
