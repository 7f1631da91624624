import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { type AnnotationDoc, ApiError, emptyDoc, type SavedRevision } from '../api/tasks.ts';
import { Autosave, type SaveStatus } from './autosave.ts';
import { openOfflineQueue } from './offline-queue.ts';

function doc(n: number): AnnotationDoc {
  return {
    ...emptyDoc(),
    shapes: [
      {
        id: `s${n}`,
        labelId: 'nodule',
        kind: 'point',
        image: { seriesUid: '1.2', sopInstanceUid: '1.2.3', frame: 1 },
        points: [[n, n]],
        attributes: {},
      },
    ],
  };
}

/** A tasks API that keeps revisions like the server will, and can be taken down. */
function fakeServer() {
  const s = {
    up: true,
    unauthorized: false,
    revisions: [] as Array<{ clientRevisionId: string; doc: AnnotationDoc }>,
    async saveRevision(
      _task: string,
      body: { clientRevisionId: string; doc: AnnotationDoc },
    ): Promise<SavedRevision> {
      if (!s.up) throw new ApiError('API_OFFLINE', 0, 'the server cannot be reached');
      if (s.unauthorized) throw new ApiError('API_UNAUTHORIZED', 401, 'expired');
      // Idempotent on clientRevisionId, as replays require.
      if (!s.revisions.some((r) => r.clientRevisionId === body.clientRevisionId))
        s.revisions.push(structuredClone(body));
      return { revision: s.revisions.length, doc: body.doc, savedAt: new Date().toISOString() };
    },
  };
  return s;
}

let ids = 0;
const newId = () => `rev-${++ids}`;

describe('autosave with an offline queue', () => {
  it('coalesces a burst of edits into one revision holding the newest document', async () => {
    const server = fakeServer();
    const queue = await openOfflineQueue(new IDBFactory());
    const a = new Autosave({ api: server, queue, taskId: 't1', baseRevision: 0, debounceMs: 5_000, newId });
    for (let i = 1; i <= 5; i++) void a.change(doc(i));
    await a.flush();
    expect(server.revisions).toHaveLength(1);
    expect(server.revisions[0]?.doc.shapes[0]?.points).toEqual([[5, 5]]);
    expect(a.state).toBe('saved');
    expect(await a.hasUnsaved()).toBe(false);
  });

  it('keeps edits in IndexedDB while the server is unreachable and replays them when it returns', async () => {
    const server = fakeServer();
    const queue = await openOfflineQueue(new IDBFactory());
    const seen: SaveStatus[] = [];
    const a = new Autosave({
      api: server,
      queue,
      taskId: 't1',
      baseRevision: 0,
      debounceMs: 5_000,
      retryMs: 60_000,
      newId,
    });
    a.onStatus((s) => seen.push(s));
    server.up = false;
    await a.change(doc(1));
    await a.flush();
    expect(a.state).toBe('offline');
    expect((await queue.get('t1'))?.doc.shapes[0]?.id).toBe('s1');
    await a.change(doc(2));
    server.up = true;
    await a.flush();
    expect(server.revisions.map((r) => r.doc.shapes[0]?.id)).toEqual(['s2']);
    expect(await queue.get('t1')).toBeUndefined();
    expect(seen).toEqual(['saved', 'pending', 'saving', 'offline', 'saving', 'saved']);
    a.dispose();
  });

  it('replays what a closed tab left behind from a fresh start', async () => {
    const server = fakeServer();
    const factory = new IDBFactory();
    const q1 = await openOfflineQueue(factory);
    server.up = false;
    const first = new Autosave({
      api: server,
      queue: q1,
      taskId: 't9',
      baseRevision: 3,
      debounceMs: 5_000,
      retryMs: 60_000,
      newId,
    });
    await first.change(doc(7));
    first.dispose();
    q1.close();

    server.up = true;
    const q2 = await openOfflineQueue(factory);
    const second = new Autosave({ api: server, queue: q2, taskId: 't9', baseRevision: 3, newId });
    await second.flush();
    expect(server.revisions.map((r) => r.doc.shapes[0]?.id)).toEqual(['s7']);
    expect(second.revision).toBe(1);
  });

  it('asks for login on 401 and keeps the edit for after it', async () => {
    const server = fakeServer();
    const queue = await openOfflineQueue(new IDBFactory());
    const a = new Autosave({ api: server, queue, taskId: 't1', baseRevision: 0, debounceMs: 5_000, newId });
    server.unauthorized = true;
    await a.change(doc(1));
    await a.flush();
    expect(a.state).toBe('login-required');
    expect(await a.hasUnsaved()).toBe(true);
    server.unauthorized = false;
    await a.flush();
    expect(a.state).toBe('saved');
    expect(server.revisions).toHaveLength(1);
  });

  it('does not drop an edit made while the previous save was in flight', async () => {
    const server = fakeServer();
    const queue = await openOfflineQueue(new IDBFactory());
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = {
      saveRevision: async (
        t: string,
        b: { clientRevisionId: string; baseRevision: number; doc: AnnotationDoc },
      ) => {
        await gate;
        return server.saveRevision(t, b);
      },
    };
    const a = new Autosave({ api: slow, queue, taskId: 't1', baseRevision: 0, debounceMs: 5_000, newId });
    await a.change(doc(1));
    const inFlight = a.flush();
    await new Promise((r) => setTimeout(r, 10));
    await a.change(doc(2));
    release();
    await inFlight;
    expect(server.revisions.map((r) => r.doc.shapes[0]?.id)).toEqual(['s1', 's2']);
    expect(await a.hasUnsaved()).toBe(false);
    a.dispose();
  });
});
