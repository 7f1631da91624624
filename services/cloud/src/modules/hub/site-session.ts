import {
  type AnyEnvelope,
  authenticateEnvelope,
  type CloudToSiteType,
  createWelcome,
  encodeFrame,
  type HandshakeHello,
  type HandshakeWelcome,
  parseFrame,
  prepareEnvelope,
  type Rejection,
  type RejectReason,
  SITE_ID_PATTERN,
  sealEnvelope,
  verifyHello,
  verifyProof,
} from '@annex/protocol';
import type { WebSocket } from 'ws';
import { applyBatch } from '../inbox/apply-batch.ts';
import { countRejections } from '../inbox/rejections.ts';
import { acknowledgeCommands, pendingCommands } from '../outbox/repository.ts';
import { forHubSite } from '../sites/repository.ts';
import type { SyncHub } from './sync-hub.ts';

/** WebSocket close codes the hub uses (4000-4999 are for applications). */
export const CLOSE = {
  replaced: 4000,
  handshakeFailed: 4001,
  handshakeTimeout: 4002,
  keyRevoked: 4003,
  internal: 1011,
} as const;

const HANDSHAKE_TIMEOUT_MS = 10_000;
// How often an open session looks for commands queued elsewhere and for its key's revocation.
const TICK_MS = 2_000;
const UNKNOWN_SITE = '-';

type Counts = Map<RejectReason, { count: number; alarms: number }>;

/**
 * One site connection: handshake (hello → welcome → proof), then verified frames applied in
 * batches, strictly one batch at a time, with an ack after each; commands sent in order.
 */
export class SiteSession {
  state: 'hello' | 'proof' | 'open' | 'closed' = 'hello';
  siteId: string | undefined;
  kid: string | undefined;
  readonly connectedAt = new Date();
  private hello: HandshakeHello | undefined;
  private welcome: HandshakeWelcome | undefined;
  // Handshake frames wait here raw. After the handshake a frame's signature check starts on
  // arrival, on the hub's verifier threads (overlapping the previous batch's transaction), and
  // the frame waits here for its outcome, in arrival order.
  private readonly inbound: Array<{ raw: unknown } | { verified: Promise<AnyEnvelope | null> }> = [];
  private readonly counts: Counts = new Map();
  private pumping = false;
  private commandsSentUpTo = 0;
  private sendingCommands = false;
  private commandsAgain = false;
  private lastResend = { from: 0, at: 0 };
  private readonly timer: NodeJS.Timeout;
  private tick: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: SyncHub,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data: Buffer) => this.onFrame(data));
    socket.on('close', () => this.onClosed());
    socket.on('error', () => this.close(CLOSE.internal, 'socket error'));
    this.timer = setTimeout(() => {
      if (this.state !== 'open') this.close(CLOSE.handshakeTimeout, 'handshake timeout');
    }, HANDSHAKE_TIMEOUT_MS);
    this.timer.unref();
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.tick);
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }

  /**
   * Work that other processes may have caused: commands queued by another replica or the CLI, and
   * a revocation made elsewhere (seen once the key cache refreshes) that ends this connection.
   */
  private onTick(): void {
    if (this.state !== 'open') return;
    const siteId = this.siteId!;
    this.hub.keys.touch(siteId);
    const revokedAt = this.hub.keys.lookup(this.kid!, siteId)?.revokedAt;
    if (revokedAt && new Date(revokedAt).getTime() <= Date.now()) {
      this.close(CLOSE.keyRevoked, 'KEY_REVOKED');
      return;
    }
    void this.sendCommands();
  }

  /** New commands were queued for this site. */
  notifyCommands(): void {
    if (this.state === 'open') void this.sendCommands();
  }

  private onClosed(): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.tick);
    this.hub.detach(this);
  }

  private onFrame(data: Buffer): void {
    if (this.state === 'closed') return;
    const parsed = parseFrame(data, this.hub.maxFrameBytes);
    if (!parsed.ok) {
      this.note(parsed.reason, parsed.alarm);
      if (this.state !== 'open') this.close(CLOSE.handshakeFailed, parsed.reason);
      void this.pump();
      return;
    }
    if (this.state === 'open') {
      const verified = this.verifyOffLoop(parsed.value);
      if (verified) this.inbound.push({ verified });
    } else {
      this.inbound.push({ raw: parsed.value });
    }
    void this.pump();
  }

  private verifyContext() {
    const siteId = this.siteId!;
    this.hub.keys.touch(siteId);
    return {
      expectedDir: 's2c' as const,
      expectedSiteId: siteId,
      keys: this.hub.keys.lookup,
      now: Date.now(),
      skewMs: this.hub.skewMs,
    };
  }

  /** Signature, key, schema, site, direction and clock; the sequence is checked when applied. */
  private verify(frame: unknown): AnyEnvelope | null {
    return this.accepted(authenticateEnvelope(frame, this.verifyContext()));
  }

  /** As verify, with the signature checked on a verifier thread; null when refused up front. */
  private verifyOffLoop(frame: unknown): Promise<AnyEnvelope | null> | null {
    const prepared = prepareEnvelope(frame, this.verifyContext());
    if (!prepared.ok) {
      this.accepted(prepared);
      return null;
    }
    return this.hub.signatures.verify(prepared.check).then((valid) => this.accepted(prepared.finish(valid)));
  }

  private accepted(r: { ok: true; envelope: AnyEnvelope } | Rejection): AnyEnvelope | null {
    if (r.ok) return r.envelope;
    this.note(r.reason, r.alarm);
    if (r.alarm) this.hub.log.warn({ siteId: this.siteId, reason: r.reason, detail: r.detail }, 'sync alarm');
    return null;
  }

  private note(reason: RejectReason, alarm: boolean): void {
    const c = this.counts.get(reason) ?? { count: 0, alarms: 0 };
    c.count++;
    if (alarm) c.alarms++;
    this.counts.set(reason, c);
  }

  private async flushCounts(siteId?: string): Promise<void> {
    if (this.counts.size === 0) return;
    const counts = new Map(this.counts);
    this.counts.clear();
    await this.record(counts, siteId ?? this.siteId ?? this.hello?.siteId);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.state !== 'closed') {
        if (this.inbound.length === 0) {
          await this.flushCounts();
          if (this.inbound.length === 0) break;
          continue;
        }
        if (this.state === 'hello') await this.onHello((this.inbound.shift() as { raw: unknown }).raw);
        else if (this.state === 'proof') await this.onProof((this.inbound.shift() as { raw: unknown }).raw);
        else await this.onEnvelopes(this.inbound.splice(0, this.hub.batchSize));
      }
      if (this.state === 'closed') await this.flushCounts();
    } catch (err) {
      this.hub.log.error({ err, siteId: this.siteId }, 'sync session failed; closing');
      this.close(CLOSE.internal, 'internal error');
    } finally {
      this.pumping = false;
    }
  }

  private async onHello(frame: unknown): Promise<void> {
    const claimed = (frame as { siteId?: unknown } | null)?.siteId;
    const siteId = typeof claimed === 'string' && SITE_ID_PATTERN.test(claimed) ? claimed : undefined;
    // Always fresh at handshake, so a key registered or rotated a moment ago works at once.
    if (siteId) {
      await this.hub.keys.refresh(siteId);
    }
    const result = verifyHello(frame, {
      keys: this.hub.keys.lookup,
      now: Date.now(),
      skewMs: this.hub.skewMs,
    });
    const site = siteId ? await forHubSite(this.hub.prisma, siteId) : null;
    if (!result.ok || !site) {
      const reason = result.ok ? 'UNKNOWN_KEY' : result.reason;
      await this.record(
        new Map([[reason, { count: 1, alarms: result.ok ? 0 : result.alarm ? 1 : 0 }]]),
        site?.id,
      );
      this.hub.metrics.connections.inc({ event: 'handshake_failed' });
      this.close(CLOSE.handshakeFailed, reason);
      return;
    }
    this.hello = result.hello;
    this.welcome = createWelcome(result.hello, this.hub.signer, Number(site.s2cAppliedSeq));
    this.state = 'proof';
    this.socket.send(JSON.stringify(this.welcome));
  }

  private async onProof(frame: unknown): Promise<void> {
    const result = verifyProof(frame, this.hello!, this.welcome!, {
      keys: this.hub.keys.lookup,
      now: Date.now(),
      skewMs: this.hub.skewMs,
    });
    if (!result.ok) {
      await this.record(
        new Map([[result.reason, { count: 1, alarms: result.alarm ? 1 : 0 }]]),
        this.hello!.siteId,
      );
      this.hub.metrics.connections.inc({ event: 'handshake_failed' });
      this.close(CLOSE.handshakeFailed, result.reason);
      return;
    }
    this.siteId = result.siteId;
    this.kid = result.kid;
    this.state = 'open';
    clearTimeout(this.timer);
    this.hub.adopt(this);
    await this.hub.prisma.site.update({
      where: { id: result.siteId },
      data: { lastConnectedAt: new Date() },
    });
    await acknowledgeCommands(this.hub.prisma, result.siteId, result.lastAppliedSeq);
    this.commandsSentUpTo = result.lastAppliedSeq;
    void this.sendCommands();
    this.tick = setInterval(() => this.onTick(), TICK_MS);
    this.tick.unref();
  }

  private async onEnvelopes(
    items: Array<{ raw: unknown } | { verified: Promise<AnyEnvelope | null> }>,
  ): Promise<void> {
    const siteId = this.siteId!;
    const sequenced: AnyEnvelope[] = [];
    for (const item of items) {
      // Frames that arrived during the handshake are verified now.
      const env = 'verified' in item ? await item.verified : this.verify(item.raw);
      if (!env) continue;
      if (env.type === 'sync.ack') await acknowledgeCommands(this.hub.prisma, siteId, env.body.upToSeq);
      else if (env.type === 'sync.resend') {
        this.commandsSentUpTo = Math.min(this.commandsSentUpTo, env.body.fromSeq - 1);
        void this.sendCommands();
      } else sequenced.push(env);
    }
    if (sequenced.length === 0) return;
    const outcome = await applyBatch(this.hub.prisma, this.hub.handlers, siteId, sequenced);
    for (const r of outcome.rejected) this.note(r.reason, false);
    for (const env of outcome.applied) this.hub.metrics.applied.inc({ type: env.type });
    this.hub.rate.add(outcome.applied.length);
    // Counted before the ack goes out, so whoever sees the ack also sees the count.
    await this.flushCounts(siteId);
    this.sendControl('sync.ack', { upToSeq: outcome.appliedUpTo });
    const from = outcome.resendFrom;
    const now = Date.now();
    if (from !== null && (from !== this.lastResend.from || now - this.lastResend.at > 1000)) {
      this.lastResend = { from, at: now };
      this.sendControl('sync.resend', { fromSeq: from });
    }
  }

  private sendControl(
    type: 'sync.ack' | 'sync.resend',
    body: { upToSeq: number } | { fromSeq: number },
  ): void {
    if (this.state !== 'open') return;
    const env = sealEnvelope(
      { type, body: body as never, siteId: this.siteId!, dir: 'c2s', seq: 0, kid: this.hub.signer.kid },
      this.hub.signer.privateKey,
    );
    this.socket.send(encodeFrame(env as AnyEnvelope));
  }

  private async sendCommands(): Promise<void> {
    if (this.sendingCommands) {
      this.commandsAgain = true;
      return;
    }
    this.sendingCommands = true;
    try {
      do {
        this.commandsAgain = false;
        const pending = await pendingCommands(this.hub.prisma, this.siteId!, this.commandsSentUpTo);
        for (const cmd of pending) {
          if (this.state !== 'open') return;
          const env = sealEnvelope(
            {
              type: cmd.type as CloudToSiteType,
              body: cmd.body as never,
              siteId: this.siteId!,
              dir: 'c2s',
              seq: Number(cmd.seq),
              kid: this.hub.signer.kid,
            },
            this.hub.signer.privateKey,
          );
          this.socket.send(encodeFrame(env as AnyEnvelope));
          this.commandsSentUpTo = Number(cmd.seq);
          this.hub.metrics.commandsSent.inc();
        }
        if (pending.length === 1000) this.commandsAgain = true;
      } while (this.commandsAgain && this.state === 'open');
    } catch (err) {
      this.hub.log.error({ err, siteId: this.siteId }, 'sending commands failed');
    } finally {
      this.sendingCommands = false;
    }
  }

  private async record(counts: Counts, siteId?: string): Promise<void> {
    for (const [reason, c] of counts) {
      this.hub.metrics.rejections.inc({ reason }, c.count);
      if (c.alarms) this.hub.metrics.alarms.inc({ reason }, c.alarms);
    }
    try {
      await countRejections(this.hub.prisma, siteId ?? UNKNOWN_SITE, counts);
    } catch (err) {
      this.hub.log.error({ err }, 'could not persist rejection counts');
    }
  }
}
