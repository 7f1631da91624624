import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../storage/object-store.ts';
import { frameIsCachedOrComing, readStoredFrame } from './frames.ts';
import { FrameReadAhead } from './read-ahead.ts';
import type { DicomwebRepository, StoredInstance } from './repository.ts';

const row = (k: number, frames = 1): StoredInstance => ({
  id: `id-${k}`,
  studyId: 'study',
  seriesId: 'series',
  sopInstanceUid: `1.2.3.${k}`,
  seriesInstanceUid: '1.2.3',
  studyInstanceUid: '1.2',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  objectKey: `instances/${k}`,
  size: 100n,
  sha256: `sha-read-ahead-${k}-${frames}`,
  numberOfFrames: frames,
  rows: 2,
  columns: 2,
  pixelData: {
    v: 1,
    encapsulated: false,
    ranged: true,
    frames: Array.from({ length: frames }, (_, f) => [10 + 8 * f, 8]),
  },
  attributes: {},
});

function fakes(rows: StoredInstance[]) {
  const reads: string[] = [];
  const storage = {
    getRange: async (key: string, offset: number, length: number) => {
      reads.push(`${key}@${offset}`);
      return Buffer.alloc(length, 1);
    },
  } as unknown as ObjectStore;
  const repository = { storedInstances: async () => rows } as unknown as DicomwebRepository;
  return { reads, storage, repository };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('FrameReadAhead', () => {
  it('fetches the next instances of the series after a frame is served, once each', async () => {
    const rows = Array.from({ length: 10 }, (_, k) => row(k));
    const { reads, storage, repository } = fakes(rows);
    const remembered: string[] = [];
    const ahead = new FrameReadAhead(repository, storage, (r) => remembered.push(r.id), 4, 2);
    await readStoredFrame(storage, rows[0]!, 1);
    ahead.after(rows[0]!, 1);
    await settle();
    expect(reads).toEqual([
      'instances/0@10',
      'instances/1@10',
      'instances/2@10',
      'instances/3@10',
      'instances/4@10',
    ]);
    expect(frameIsCachedOrComing(rows[4]!, 1)).toBe(true);
    expect(frameIsCachedOrComing(rows[5]!, 1)).toBe(false);
    expect(remembered).toHaveLength(10);
    // Serving a prefetched frame reads nothing; moving on prefetches only what is new.
    await readStoredFrame(storage, rows[1]!, 1);
    ahead.after(rows[1]!, 1);
    await settle();
    expect(reads.slice(5)).toEqual(['instances/5@10']);
  });

  it('fetches the next frames of a multi-frame instance', async () => {
    const mf = row(99, 6);
    const { reads, storage, repository } = fakes([mf]);
    const ahead = new FrameReadAhead(repository, storage, () => undefined, 3, 1);
    ahead.after(mf, 2);
    await settle();
    expect(reads).toEqual(['instances/99@26', 'instances/99@34', 'instances/99@42']);
  });
});
