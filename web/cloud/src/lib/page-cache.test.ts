import { describe, expect, it } from 'vitest';
import { createPageCache } from './page-cache.ts';

describe('the page cache', () => {
  it('answers a repeated key from the first request while it is fresh, then loads again', async () => {
    let t = 0;
    let loads = 0;
    const cache = createPageCache<number>({ ttlMs: 100, now: () => t });
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    t = 50;
    expect(await cache.get('a', load)).toBe(1);
    t = 150;
    expect(await cache.get('a', load)).toBe(2);
  });

  it('forgets failures and the oldest entries beyond its size', async () => {
    const cache = createPageCache<string>({ max: 2 });
    await expect(cache.get('x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get('x', async () => 'up')).toBe('up');
    await cache.get('y', async () => 'y');
    await cache.get('z', async () => 'z');
    expect(await cache.get('x', async () => 'reloaded')).toBe('reloaded');
  });
});
