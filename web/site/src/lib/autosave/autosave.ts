import { type AnnotationDoc, ApiError, type TasksApi } from '../api/tasks.ts';
import type { OfflineQueue, PendingRevision } from './offline-queue.ts';

export type SaveStatus = 'saved' | 'pending' | 'saving' | 'offline' | 'login-required' | 'error';

export interface AutosaveOptions {
  api: Pick<TasksApi, 'saveRevision'>;
  queue: OfflineQueue;
  taskId: string;
  /** The server's revision the first edit builds on. */
  baseRevision: number;
  debounceMs?: number;
  /** First retry delay when the server is unreachable; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  newId?: () => string;
  now?: () => number;
}

/**
 * Debounced autosave of full annotation documents as revisions. Every edit is written to the
 * IndexedDB queue before anything goes on the network, and leaves the queue only once the server
 * has acknowledged it, so a failure at any point leaves the newest edit on disk to replay.
 */
export class Autosave {
  private status: SaveStatus = 'saved';
  private listeners = new Set<(s: SaveStatus, detail?: string) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay: number;
  private baseRevision: number;
  private sending: Promise<void> | undefined;
  private persisted: Promise<void> = Promise.resolve();

  constructor(private readonly o: AutosaveOptions) {
    this.baseRevision = o.baseRevision;
    this.retryDelay = o.retryMs ?? 1000;
  }

  get state(): SaveStatus {
    return this.status;
  }

  get revision(): number {
    return this.baseRevision;
  }

  onStatus(fn: (s: SaveStatus, detail?: string) => void): () => void {
    this.listeners.add(fn);
    fn(this.status);
    return () => this.listeners.delete(fn);
  }

  private set(s: SaveStatus, detail?: string): void {
    this.status = s;
    for (const fn of this.listeners) fn(s, detail);
  }

  /** Records an edit: persisted locally now, sent after the debounce. */
  change(doc: AnnotationDoc): Promise<void> {
    if (this.status === 'saved' || this.status === 'error') this.set('pending');
    const entry: PendingRevision = {
      taskId: this.o.taskId,
      clientRevisionId: (this.o.newId ?? (() => crypto.randomUUID()))(),
      baseRevision: this.baseRevision,
      doc: structuredClone(doc),
      queuedAt: (this.o.now ?? Date.now)(),
    };
    this.persisted = this.persisted.then(() => this.o.queue.put(entry));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.o.debounceMs ?? 800);
    return this.persisted;
  }

  /** Sends whatever is queued for this task now (also what `online` and re-login call). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.sending ??= this.sendLoop().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  private async sendLoop(): Promise<void> {
    await this.persisted;
    for (;;) {
      const pending = await this.o.queue.get(this.o.taskId);
      if (!pending) {
        this.set('saved');
        return;
      }
      this.set('saving');
      try {
        const saved = await this.o.api.saveRevision(this.o.taskId, {
          clientRevisionId: pending.clientRevisionId,
          baseRevision: this.baseRevision,
          doc: pending.doc,
        });
        this.baseRevision = saved.revision;
        this.retryDelay = this.o.retryMs ?? 1000;
        await this.o.queue.removeIfCurrent(this.o.taskId, pending.clientRevisionId);
        // Loop: a newer edit may have been queued while this one was in flight.
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError('API_OFFLINE', 0, String(e));
        if (err.code === 'API_UNAUTHORIZED') {
          this.set('login-required', 'your session expired; your edits are kept on this computer');
        } else if (err.transient) {
          this.set(
            'offline',
            'offline: edits are kept on this computer and sent when the connection returns',
          );
          this.retryTimer = setTimeout(() => void this.flush(), this.retryDelay);
          this.retryDelay = Math.min(this.retryDelay * 2, this.o.maxRetryMs ?? 30_000);
        } else {
          this.set('error', err.message);
        }
        return;
      }
    }
  }

  /** Edits not yet acknowledged by the server (for "unsaved changes" prompts). */
  async hasUnsaved(): Promise<boolean> {
    await this.persisted;
    return Boolean(await this.o.queue.get(this.o.taskId));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
