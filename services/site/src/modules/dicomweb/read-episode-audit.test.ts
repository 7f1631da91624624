import { describe, expect, it } from 'vitest';
import { ReadEpisodeAudit } from './read-episode-audit.ts';

describe('ReadEpisodeAudit', () => {
  it('writes the first read of a study before returning, and later reads as one summary', async () => {
    const events: Array<[string, Record<string, unknown>]> = [];
    const write = async (resource: string, detail: Record<string, string | number | boolean>) => {
      events.push([resource, detail]);
    };
    const audit = new ReadEpisodeAudit(60_000);
    await audit.record('u1', 's1', 'i1', 'frames', write);
    expect(events).toEqual([['study:s1', { what: 'frames', instance: 'i1' }]]);
    await audit.record('u1', 's1', 'i2', 'frames', write);
    await audit.record('u1', 's1', 'i2', 'frames', write);
    expect(events).toHaveLength(1);
    // Another user or another study is a new episode, written at once.
    await audit.record('u2', 's1', 'i1', 'frames', write);
    await audit.record('u1', 's2', 'i9', 'frames', write);
    expect(events).toHaveLength(3);
    await audit.flush();
    expect(events).toHaveLength(4);
    expect(events[3]![0]).toBe('study:s1');
    expect(events[3]![1]).toMatchObject({ what: 'frames:repeated', repeats: 2, instances: 1 });
  });

  it('opens a new audited episode once the window has passed', async () => {
    const events: string[] = [];
    const audit = new ReadEpisodeAudit(20);
    const write = async (_r: string, d: Record<string, string | number | boolean>) => {
      events.push(String(d.what));
    };
    await audit.record('u', 's', 'i', 'frames', write);
    await audit.record('u', 's', 'i', 'frames', write);
    await new Promise((r) => setTimeout(r, 40));
    await audit.record('u', 's', 'i', 'frames', write);
    expect(events).toEqual(['frames', 'frames:repeated', 'frames']);
  });

  it('writes one event for concurrent first reads, and none of them is served before it is written', async () => {
    let release: () => void = () => undefined;
    const written: string[] = [];
    const write = (_r: string, d: Record<string, string | number | boolean>) =>
      new Promise<void>((resolve) => {
        written.push(String(d.what));
        release = resolve;
      });
    const audit = new ReadEpisodeAudit(60_000);
    let served = 0;
    const reads = Array.from({ length: 6 }, () =>
      audit.record('u', 's', 'i', 'frames', write).then(() => served++),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(written).toEqual(['frames']);
    expect(served).toBe(0);
    release();
    await Promise.all(reads);
    expect(served).toBe(6);
  });

  it('fails the reads of an episode whose event could not be written, and retries on the next read', async () => {
    const audit = new ReadEpisodeAudit(60_000);
    await expect(
      audit.record('u', 's', 'i', 'frames', async () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow('db down');
    const ok: string[] = [];
    await audit.record('u', 's', 'i', 'frames', async (_r, d) => {
      ok.push(String(d.what));
    });
    expect(ok).toEqual(['frames']);
  });
});
