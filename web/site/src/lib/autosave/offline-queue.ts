import type { AnnotationDoc } from '../api/tasks.ts';

// Unsent revisions, persisted in IndexedDB so that a dropped VPN, a closed tab or a re-login
// loses nothing. Revisions are full documents, so one pending entry per task (the newest) is all
// a replay needs.

export interface PendingRevision {
  taskId: string;
  clientRevisionId: string;
  baseRevision: number;
  doc: AnnotationDoc;
  queuedAt: number;
}

export interface OfflineQueue {
  put(p: PendingRevision): Promise<void>;
  get(taskId: string): Promise<PendingRevision | undefined>;
  all(): Promise<PendingRevision[]>;
  /** Removes the entry only if it is still the one that was sent (a newer edit may have replaced it). */
  removeIfCurrent(taskId: string, clientRevisionId: string): Promise<void>;
  close(): void;
}

const STORE = 'pending';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export async function openOfflineQueue(
  factory: IDBFactory = indexedDB,
  name = 'annex-autosave',
): Promise<OfflineQueue> {
  const open = factory.open(name, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE))
      open.result.createObjectStore(STORE, { keyPath: 'taskId' });
  };
  const db = await req(open);
  return {
    async put(p) {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(p);
      await done(tx);
    },
    async get(taskId) {
      const tx = db.transaction(STORE, 'readonly');
      return (await req(tx.objectStore(STORE).get(taskId))) as PendingRevision | undefined;
    },
    async all() {
      const tx = db.transaction(STORE, 'readonly');
      return (await req(tx.objectStore(STORE).getAll())) as PendingRevision[];
    },
    async removeIfCurrent(taskId, clientRevisionId) {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const cur = (await req(store.get(taskId))) as PendingRevision | undefined;
      if (cur?.clientRevisionId === clientRevisionId) store.delete(taskId);
      await done(tx);
    },
    close: () => db.close(),
  };
}
