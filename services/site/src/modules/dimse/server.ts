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
  /**
   * Stops accepting associations and lets those open finish the C-STORE in flight; when `cut`
   * aborts (default: after SHUTDOWN_GRACE_MS), the connections left are closed.
   */
  close(cut?: AbortSignal): Promise<void>;
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
  const associations = new Map<Socket, AnnexScp>();
  let draining = false;
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    if (draining || associations.size >= settings.DIMSE_MAX_ASSOCIATIONS) {
      socket.destroy();
      return;
    }
    const scp = new AnnexScp(socket, deps, options);
    associations.set(socket, scp);
    metrics.open.inc();
    socket.once('close', () => {
      associations.delete(socket);
      metrics.open.dec();
    });
    socket.on('error', () => socket.destroy());
    framePdusOnEmit(socket, (pdu) => scp.admit(pdu));
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
    async close(cut = AbortSignal.timeout(app.config.SHUTDOWN_GRACE_MS)) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Each association finishes the C-STORE it is receiving, then ends (see AnnexScp).
      for (const scp of associations.values()) scp.drain();
      const cutAll = () => {
        for (const socket of associations.keys()) socket.destroy();
      };
      if (cut.aborted) cutAll();
      else cut.addEventListener('abort', cutAll, { once: true });
      try {
        await closed;
      } finally {
        cut.removeEventListener('abort', cutAll);
      }
    },
  };
}
