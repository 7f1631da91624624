import type { KeyObject } from 'node:crypto';
import {
  type AnyEnvelope,
  createHello,
  createProof,
  type EnvelopeFields,
  encodeFrame,
  type KeyPair,
  keyRing,
  type MessageType,
  sealEnvelope,
  verifyWelcome,
} from '@annex/protocol';
import WebSocket from 'ws';

/**
 * A hand-driven site for hub tests: it performs the real handshake, then sends whatever frames a
 * test crafts (valid, forged, replayed…) and records what the cloud sends back.
 */
export class FakeSite {
  readonly received: AnyEnvelope[] = [];
  closed: { code: number; reason: string } | null = null;
  lastAppliedSeq = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly ws: WebSocket,
    readonly siteId: string,
    readonly key: KeyPair,
  ) {}

  static async connect(
    url: string,
    siteId: string,
    key: KeyPair,
    cloudKey: KeyPair,
    options: { appliedC2s?: number } = {},
  ): Promise<FakeSite> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const site = new FakeSite(ws, siteId, key);
    ws.on('close', (code, reason) => {
      site.closed = { code, reason: reason.toString() };
      site.wake();
    });
    const hello = createHello(siteId, { kid: key.kid, privateKey: key.privateKey });
    ws.send(JSON.stringify(hello));
    const welcomeRaw = await new Promise<unknown>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(data.toString())));
      ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
    });
    const welcome = verifyWelcome(welcomeRaw, hello, {
      keys: keyRing([{ kid: cloudKey.kid, publicKey: cloudKey.publicKey }]),
      now: Date.now(),
    });
    if (!welcome.ok) throw new Error(`welcome rejected: ${welcome.reason}`);
    site.lastAppliedSeq = welcome.welcome.lastAppliedSeq;
    ws.on('message', (data) => {
      site.received.push(JSON.parse(data.toString()));
      site.wake();
    });
    ws.send(JSON.stringify(createProof(hello, welcome.welcome, key, options.appliedC2s ?? 0)));
    return site;
  }

  /** Signs with the site's key, or with `privateKey` (and its `kid`) for key-state tests. */
  seal<T extends MessageType>(
    fields: Omit<EnvelopeFields<T>, 'siteId' | 'dir' | 'kid'> & { kid?: string; privateKey?: KeyObject },
  ) {
    const { privateKey, ...rest } = fields;
    return sealEnvelope(
      { siteId: this.siteId, dir: 's2c', kid: this.key.kid, ...rest } as EnvelopeFields<T>,
      privateKey ?? this.key.privateKey,
    ) as AnyEnvelope;
  }

  sendRaw(frame: string | object): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  send(env: AnyEnvelope): void {
    this.ws.send(encodeFrame(env));
  }

  /** Resolves when `predicate` holds over what was received (or the socket closed). */
  async waitFor(predicate: (received: AnyEnvelope[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the cloud');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Highest sync.ack upToSeq received so far. */
  ackedUpTo(): number {
    let max = 0;
    for (const e of this.received) if (e.type === 'sync.ack') max = Math.max(max, e.body.upToSeq);
    return max;
  }

  async waitForAck(upToSeq: number, timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.ackedUpTo() >= upToSeq, timeoutMs);
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
