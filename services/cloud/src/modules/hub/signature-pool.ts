import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { type SignatureCheck, checkSignature as verifyNow } from '@annex/protocol';

const SIGNATURE_BYTES = 64;

/** On the event loop; a key of the wrong type counts as a failed check, as on a thread. */
function checkSignature(check: SignatureCheck): boolean {
  try {
    return verifyNow(check);
  } catch {
    return false;
  }
}

/** Fewer checks than this go to one thread: splitting them costs more than it saves. */
const MIN_SHARE = 32;

interface Waiting {
  check: SignatureCheck;
  resolve: (valid: boolean) => void;
}

interface Thread {
  worker: Worker;
  jobs: Map<number, Waiting[]>;
}

/**
 * Ed25519 verification off the event loop. Verifying is most of what the hub spends per message
 * (~120 µs of ~200 µs here); on one thread it caps every site together at what one core verifies.
 * Checks asked for in the same turn of the event loop (the frames of one socket read) go out as one
 * message per thread, their bytes in one transferred buffer.
 *
 * Results come back per check, so a caller that awaits its checks in arrival order keeps that
 * order. With `threads: 0`, or when a thread dies, checks are verified on the event loop instead:
 * a failure here never turns into an accepted or a lost message.
 */
export class SignaturePool {
  private readonly threads: Array<Thread | undefined> = [];
  private waiting: Waiting[] = [];
  private flushScheduled = false;
  private nextJob = 1;
  private nextThread = 0;
  private closed = false;
  private readonly spki = new WeakMap<KeyObject, Uint8Array>();

  constructor(private readonly size: number) {}

  verify(check: SignatureCheck): Promise<boolean> {
    if (this.size === 0 || this.closed) return Promise.resolve(checkSignature(check));
    if (check.signature.length !== SIGNATURE_BYTES) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting.push({ check, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Ends the threads; checks still out are verified on the event loop. */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    await Promise.all(this.threads.map((t) => t?.worker.terminate()));
  }

  private flush(): void {
    this.flushScheduled = false;
    const all = this.waiting;
    this.waiting = [];
    if (all.length === 0) return;
    if (this.closed) {
      for (const w of all) w.resolve(checkSignature(w.check));
      return;
    }
    const shares = Math.max(1, Math.min(this.size, Math.floor(all.length / MIN_SHARE)));
    const per = Math.ceil(all.length / shares);
    for (let i = 0; i < all.length; i += per) this.send(this.thread(), all.slice(i, i + per));
  }

  private thread(): Thread {
    const index = this.nextThread++ % this.size;
    const thread = this.threads[index] ?? this.start(index);
    this.threads[index] = thread;
    return thread;
  }

  private start(index: number): Thread {
    const worker = new Worker(new URL('./signature-worker.mjs', import.meta.url));
    worker.unref();
    const thread: Thread = { worker, jobs: new Map() };
    worker.on('message', ({ id, valid }: { id: number; valid: Uint8Array }) => {
      const job = thread.jobs.get(id);
      if (!job) return;
      thread.jobs.delete(id);
      for (let i = 0; i < job.length; i++) job[i]!.resolve(valid[i] === 1);
    });
    const lost = () => {
      if (this.threads[index] === thread) this.threads[index] = undefined;
      for (const job of thread.jobs.values()) for (const w of job) w.resolve(checkSignature(w.check));
      thread.jobs.clear();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return thread;
  }

  private send(thread: Thread, job: Waiting[]): void {
    const id = this.nextJob++;
    const keys: Uint8Array[] = [];
    const keyPosition = new Map<KeyObject, number>();
    const lengths = new Uint32Array(job.length);
    const keyIndex = new Uint16Array(job.length);
    let total = 0;
    job.forEach(({ check }, i) => {
      lengths[i] = check.data.length;
      total += check.data.length + SIGNATURE_BYTES;
      let k = keyPosition.get(check.publicKey);
      if (k === undefined) {
        k = keys.push(this.spkiOf(check.publicKey)) - 1;
        keyPosition.set(check.publicKey, k);
      }
      keyIndex[i] = k;
    });
    const buffer = new ArrayBuffer(total);
    const bytes = new Uint8Array(buffer);
    let at = 0;
    for (const { check } of job) {
      bytes.set(check.data, at);
      at += check.data.length;
      bytes.set(check.signature, at);
      at += SIGNATURE_BYTES;
    }
    thread.jobs.set(id, job);
    thread.worker.postMessage({ id, buffer, lengths, keyIndex, keys }, [buffer]);
  }

  private spkiOf(key: KeyObject): Uint8Array {
    let der = this.spki.get(key);
    if (der === undefined) {
      // Its own 44-byte buffer: a Buffer may be a view of Node's shared 8 KiB pool, and posting a
      // view copies the whole buffer behind it.
      der = new Uint8Array(key.export({ format: 'der', type: 'spki' }));
      this.spki.set(key, der);
    }
    return der;
  }
}
