import {
  type AnyEnvelope,
  authenticateEnvelope,
  createHello,
  createProof,
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_MAX_FRAME_BYTES,
  type EnvelopeFields,
  encodeFrame,
  type KeyLookup,
  type MessageType,
  parseFrame,
  type RejectReason,
  type Signer,
  sealEnvelope,
  verifyWelcome,
} from '@annex/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type WebSocket from 'ws';
import type { PrismaClient } from '../../db.ts';
import { backoffDelay } from './backoff.ts';
import type { CommandHandlers } from './command-handlers.ts';
import { applyCommand } from './inbox.ts';
import type { SyncMetrics } from './metrics.ts';
import { SyncSql } from './sync-sql.ts';
import { openSocket } from './transport.ts';

export interface SyncAgentOptions {
  prisma: PrismaClient;
  /** The site database, for the agent's own connections (hot-path SQL and LISTEN). */
  databaseUrl: string;
  siteId: string;
  /** wss://cloud.example/sync/v1 */
  url: string;
  signer: Signer;
  /** The cloud's public keys. */
  cloudKeys: KeyLookup;
  commands: CommandHandlers;
  log: FastifyBaseLogger;
  metrics?: SyncMetrics;
  proxyUrl?: string | undefined;
  noProxy?: readonly string[];
  /** Most messages sent and not yet acknowledged. */
  window?: number;
  sendBatch?: number;
  /** Safety-net poll; new rows normally wake the agent through LISTEN/NOTIFY at once. */
  pollMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** With unacknowledged messages and no ack for this long, send again from the last ack. */
  ackTimeoutMs?: number;
  skewMs?: number;
  maxFrameBytes?: number;
}

type AgentState = 'idle' | 'connecting' | 'open' | 'stopped';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const BACKPRESSURE_WAIT_MS = 20;

/**
 * The site's sync role: connects OUT to the cloud, proves its key (challenge handshake), sends
 * the outbox in sequence order with a bounded window of unacknowledged messages, resumes from the
 * cloud's last applied seq after every reconnect, and applies cloud commands exactly once.
 */
export class SyncAgent {
  state: AgentState = 'idle';
  private ws: WebSocket | undefined;
  private sentUpTo = 0;
  private ackedUpTo = 0;
  private lastAckProgress = Date.now();
  private attempt = 0;
  private ackTarget: { upTo: number; at: Date } | undefined;
  private ackPersisted = 0;
  private ackFlush: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private stopWait: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly sql: SyncSql;
  private assignedUpTo = 0;
  private unlisten: (() => Promise<void>) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly o: Required<Omit<SyncAgentOptions, 'metrics' | 'proxyUrl'>> &
    Pick<SyncAgentOptions, 'metrics' | 'proxyUrl'>;

  constructor(options: SyncAgentOptions) {
    this.o = {
      noProxy: [],
      window: 4000,
      sendBatch: 1000,
      pollMs: 1000,
      backoffBaseMs: 500,
      backoffMaxMs: 30_000,
      ackTimeoutMs: 15_000,
      skewMs: DEFAULT_CLOCK_SKEW_MS,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      ...options,
    };
    this.sql = new SyncSql(this.o.databaseUrl);
  }

  start(): void {
    if (this.loop) return;
    this.unlisten = this.sql.listen(this.o.databaseUrl, () => this.wake());
    this.loop = this.connectLoop();
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopped';
    this.stopWait?.();
    this.wake();
    this.ws?.close(1001, 'site stopping');
    await this.loop;
    await this.ackFlush;
    await this.unlisten?.();
    await this.sql.close();
    this.loop = undefined;
  }

  /** New outbox rows were committed in this process: send without waiting for the next poll. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  stats() {
    return { state: this.state, sentUpTo: this.sentUpTo, ackedUpTo: this.ackedUpTo };
  }

  private get running() {
    return this.state !== 'stopped';
  }

  private async connectLoop(): Promise<void> {
    while (this.running) {
      this.state = 'connecting';
      try {
        await this.runConnection();
      } catch (err) {
        // The first failure is a warning; repeats while the cloud stays unreachable are debug noise.
        const level = this.attempt === 0 ? 'warn' : 'debug';
        if (this.running)
          this.o.log[level]({ err: { message: (err as Error).message } }, 'sync connection failed');
      }
      this.o.metrics?.connected.set(0);
      if (!this.running) break;
      const delay = backoffDelay(this.attempt++, this.o.backoffBaseMs, this.o.backoffMaxMs);
      this.o.metrics?.reconnects.inc();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.stopWait = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.state = 'stopped';
  }

  /** One connection, from open to close. Resolves when the socket closes. */
  private async runConnection(): Promise<void> {
    const ws = openSocket(this.o.url, {
      proxyUrl: this.o.proxyUrl,
      noProxy: this.o.noProxy,
      maxPayload: this.o.maxFrameBytes,
    });
    this.ws = ws;
    let onClose: (() => void) | undefined;
    const closed = new Promise<void>((resolve) =>
      ws.once('close', () => {
        onClose?.();
        resolve();
      }),
    );
    const frames: Buffer[] = [];
    let notify: (() => void) | undefined;
    ws.on('message', (data: Buffer) => {
      frames.push(data);
      notify?.();
    });
    ws.on('error', () => {}); // 'close' follows; the reason is logged by connectLoop
    const next = async (timeoutMs: number): Promise<Buffer> => {
      const deadline = Date.now() + timeoutMs;
      while (frames.length === 0) {
        if (ws.readyState > 1) throw new Error('connection closed during handshake');
        if (Date.now() > deadline) throw new Error('handshake timed out');
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 50);
        });
      }
      return frames.shift()!;
    };
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('close', (code) => reject(new Error(`closed before open (${code})`)));
      });
      const hello = createHello(this.o.siteId, this.o.signer);
      ws.send(JSON.stringify(hello));
      const welcomeFrame = parseFrame(await next(HANDSHAKE_TIMEOUT_MS), this.o.maxFrameBytes);
      const welcome = welcomeFrame.ok
        ? verifyWelcome(welcomeFrame.value, hello, {
            keys: this.o.cloudKeys,
            now: Date.now(),
            skewMs: this.o.skewMs,
            cloudId: 'cloud',
          })
        : welcomeFrame;
      if (!welcome.ok) {
        this.reject(welcome.reason);
        throw new Error(`cloud handshake rejected: ${welcome.reason}`);
      }
      const cloudApplied = welcome.welcome.lastAppliedSeq;
      const state = await this.sql.state();
      if (cloudApplied > state.s2cAssignedSeq) {
        this.o.log.error(
          { cloudApplied, assigned: state.s2cAssignedSeq },
          'cloud applied more than this site sent',
        );
      }
      if (cloudApplied > state.s2cAckedSeq) await this.sql.markAcked(cloudApplied);
      // Resume exactly after what the cloud has applied: nothing lost, nothing sent twice.
      this.sentUpTo = cloudApplied;
      this.ackedUpTo = cloudApplied;
      this.lastAckProgress = Date.now();
      ws.send(JSON.stringify(createProof(hello, welcome.welcome, this.o.signer, state.c2sAppliedSeq)));
      this.state = 'open';
      this.o.metrics?.connected.set(1);
      this.o.log.info({ resumeAfter: cloudApplied }, 'sync connected');

      // From here: frames are handled one at a time, in order, beside the send loop.
      const receiving = (async () => {
        while (ws.readyState === 1 || frames.length > 0) {
          if (frames.length === 0) {
            await new Promise<void>((resolve) => {
              notify = resolve;
              onClose = resolve;
            });
            continue;
          }
          await this.onFrame(ws, frames.shift()!);
          this.attempt = 0;
        }
      })();
      await Promise.all([this.sendLoop(ws), receiving.catch((err) => this.fail(ws, err))]);
    } finally {
      if (ws.readyState < 2) ws.close();
      await closed;
      this.ws = undefined;
    }
  }

  /**
   * Writes acknowledgements to the outbox in the background, coalesced: the window moves as soon as
   * an ack arrives. The marks are for status and lag only; where to resume after a reconnect comes
   * from the cloud (welcome.lastAppliedSeq), so a mark lost in a crash costs nothing.
   */
  private persistAck(upTo: number, at: Date): void {
    if (!this.ackTarget || upTo > this.ackTarget.upTo) this.ackTarget = { upTo, at };
    if (this.ackFlush) return;
    this.ackFlush = (async () => {
      try {
        while (this.ackTarget && this.ackTarget.upTo > this.ackPersisted) {
          const target = this.ackTarget;
          await this.sql.markAcked(target.upTo, target.at);
          this.ackPersisted = target.upTo;
        }
      } catch (err) {
        this.o.log.warn({ err: { message: (err as Error).message } }, 'could not record acknowledgements');
      } finally {
        this.ackFlush = undefined;
      }
    })();
  }

  private fail(ws: WebSocket, err: unknown): void {
    this.o.log.error({ err }, 'sync receive failed; reconnecting');
    ws.close(1011, 'site error');
  }

  private async sendLoop(ws: WebSocket): Promise<void> {
    try {
      while (ws.readyState === 1 && this.running) {
        const inflight = this.sentUpTo - this.ackedUpTo;
        if (inflight > 0 && Date.now() - this.lastAckProgress > this.o.ackTimeoutMs) {
          this.o.log.warn({ from: this.ackedUpTo + 1 }, 'no ack in time; sending again');
          this.sentUpTo = this.ackedUpTo;
          this.lastAckProgress = Date.now();
          continue;
        }
        const room = Math.min(this.o.window - inflight, this.o.sendBatch);
        if (room <= 0 || ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          await this.idle(BACKPRESSURE_WAIT_MS); // an ack wakes it sooner
          continue;
        }
        // Number new rows only when everything numbered so far was sent; either way one round trip.
        let rows: Awaited<ReturnType<SyncSql['outboxAfter']>>;
        if (this.sentUpTo >= this.assignedUpTo) {
          const next = await this.sql.assignAndFetch(this.o.sendBatch, this.sentUpTo, room);
          this.assignedUpTo = next.assigned;
          rows = next.rows;
        } else {
          rows = await this.sql.outboxAfter(this.sentUpTo, room);
        }
        if (rows.length === 0) {
          await this.idle();
          continue;
        }
        if (ws.readyState !== 1) break;
        if (this.sentUpTo === this.ackedUpTo) this.lastAckProgress = Date.now();
        for (const row of rows) {
          const env = this.seal({
            type: row.type as MessageType,
            body: row.body as never,
            seq: Number(row.seq),
          });
          ws.send(encodeFrame(env));
          this.sentUpTo = Number(row.seq);
        }
        this.o.metrics?.sent.inc(rows.length);
      }
    } catch (err) {
      this.fail(ws, err);
    }
  }

  /** Waits for a wake-up (new rows, an ack, a resend) or the poll interval. */
  private idle(ms = this.o.pollMs): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private seal(fields: Pick<EnvelopeFields<MessageType>, 'type' | 'body' | 'seq'>): AnyEnvelope {
    // Signed at send time (again on every resend): sentAt is this attempt's time.
    return sealEnvelope(
      { ...fields, siteId: this.o.siteId, dir: 's2c', kid: this.o.signer.kid } as EnvelopeFields<MessageType>,
      this.o.signer.privateKey,
    ) as AnyEnvelope;
  }

  private sendControl(ws: WebSocket, type: 'sync.ack' | 'sync.resend', body: object): void {
    if (ws.readyState !== 1) return;
    ws.send(encodeFrame(this.seal({ type, body: body as never, seq: 0 })));
  }

  private reject(reason: RejectReason): void {
    this.o.metrics?.rejections.inc({ reason });
  }

  private async onFrame(ws: WebSocket, data: Buffer): Promise<void> {
    const parsed = parseFrame(data, this.o.maxFrameBytes);
    if (!parsed.ok) return this.reject(parsed.reason);
    const result = authenticateEnvelope(parsed.value, {
      expectedDir: 'c2s',
      expectedSiteId: this.o.siteId,
      peerId: 'cloud',
      keys: this.o.cloudKeys,
      now: Date.now(),
      skewMs: this.o.skewMs,
    });
    if (!result.ok) {
      this.reject(result.reason);
      if (result.alarm) this.o.log.warn({ reason: result.reason, detail: result.detail }, 'sync alarm');
      return;
    }
    const env = result.envelope;
    if (env.type === 'sync.ack') {
      const upTo = Math.min(env.body.upToSeq, this.sentUpTo);
      if (upTo > this.ackedUpTo) {
        this.o.metrics?.acked.inc(upTo - this.ackedUpTo);
        this.ackedUpTo = upTo;
        this.lastAckProgress = Date.now();
        this.wake();
        this.persistAck(upTo, new Date());
      }
      return;
    }
    if (env.type === 'sync.resend') {
      this.sentUpTo = Math.max(this.ackedUpTo, Math.min(this.sentUpTo, env.body.fromSeq - 1));
      this.wake();
      return;
    }
    const outcome = await applyCommand(this.o.prisma, this.o.commands, env);
    if (outcome.kind === 'applied') {
      this.o.metrics?.commands.inc({ type: env.type, status: outcome.outcome.status });
      this.sendControl(ws, 'sync.ack', { upToSeq: outcome.seq });
      this.wake(); // its command.result is in the outbox
      return;
    }
    this.reject(outcome.reason);
    if (outcome.reason === 'SEQUENCE_GAP')
      this.sendControl(ws, 'sync.resend', { fromSeq: outcome.expectedSeq });
    else this.sendControl(ws, 'sync.ack', { upToSeq: outcome.appliedSeq });
  }
}
