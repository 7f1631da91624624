import type { Signer } from '@annex/protocol';
import { DEFAULT_MAX_FRAME_BYTES } from '@annex/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { PrismaClient } from '../../db.ts';
import type { InboxHandlers } from '../inbox/handlers.ts';
import type { SiteKeyCache } from '../sites/key-cache.ts';
import type { HubMetrics } from './hub-metrics.ts';
import { RateMeter } from './rate-meter.ts';
import { SignaturePool } from './signature-pool.ts';
import { CLOSE, SiteSession } from './site-session.ts';

export interface SyncHubOptions {
  prisma: PrismaClient;
  keys: SiteKeyCache;
  signer: Signer;
  handlers: InboxHandlers;
  metrics: HubMetrics;
  log: FastifyBaseLogger;
  skewMs: number;
  batchSize: number;
  /** Threads that verify frame signatures; 0 verifies on the event loop. */
  verifyThreads: number;
  maxFrameBytes?: number;
}

/** All site connections of this process; at most one authenticated connection per site. */
export class SyncHub {
  readonly prisma: PrismaClient;
  readonly keys: SiteKeyCache;
  readonly signer: Signer;
  readonly handlers: InboxHandlers;
  readonly metrics: HubMetrics;
  readonly log: FastifyBaseLogger;
  readonly skewMs: number;
  readonly batchSize: number;
  readonly maxFrameBytes: number;
  readonly signatures: SignaturePool;
  /** Applied messages per second, for the status endpoint. */
  readonly rate = new RateMeter(60);
  private readonly sessions = new Set<SiteSession>();
  private readonly bySite = new Map<string, SiteSession>();

  constructor(options: SyncHubOptions) {
    this.prisma = options.prisma;
    this.keys = options.keys;
    this.signer = options.signer;
    this.handlers = options.handlers;
    this.metrics = options.metrics;
    this.log = options.log;
    this.skewMs = options.skewMs;
    this.batchSize = options.batchSize;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.signatures = new SignaturePool(options.verifyThreads);
  }

  attach(socket: WebSocket): void {
    this.sessions.add(new SiteSession(this, socket));
  }

  /** A session finished its handshake: it replaces any older connection of the same site. */
  adopt(session: SiteSession): void {
    const siteId = session.siteId!;
    const older = this.bySite.get(siteId);
    if (older && older !== session) {
      this.metrics.connections.inc({ event: 'replaced' });
      older.close(CLOSE.replaced, 'replaced by a newer connection');
    }
    this.bySite.set(siteId, session);
    this.metrics.connections.inc({ event: 'authenticated' });
    this.log.info({ siteId }, 'site connected');
  }

  detach(session: SiteSession): void {
    this.sessions.delete(session);
    if (session.siteId && this.bySite.get(session.siteId) === session) {
      this.bySite.delete(session.siteId);
      this.metrics.connections.inc({ event: 'closed' });
      this.log.info({ siteId: session.siteId }, 'site disconnected');
    }
  }

  /** Commands were queued for a site (after their transaction committed). */
  notifyCommands(siteId: string): void {
    this.bySite.get(siteId)?.notifyCommands();
  }

  /** A key was revoked: re-read the site's keys, then drop the connection that proved it. */
  async keyRevoked(siteId: string, kid: string): Promise<void> {
    await this.keys.refresh(siteId);
    const session = this.bySite.get(siteId);
    if (session?.kid === kid) session.close(CLOSE.keyRevoked, 'KEY_REVOKED');
  }

  /** Keys were added or rotated: re-read them before answering the admin. */
  async keysChanged(siteId: string): Promise<void> {
    await this.keys.refresh(siteId);
  }

  connectedSites(): string[] {
    return [...this.bySite.keys()];
  }

  connection(siteId: string): { connectedAt: string; kid: string | undefined } | null {
    const s = this.bySite.get(siteId);
    return s ? { connectedAt: s.connectedAt.toISOString(), kid: s.kid } : null;
  }

  /** Closes every site connection (the sites reconnect). */
  closeAll(): void {
    for (const s of this.sessions) s.close(1001, 'server shutting down');
  }

  /** Shutdown: connections closed, verifier threads ended. */
  async close(): Promise<void> {
    this.closeAll();
    await this.signatures.close();
  }
}
