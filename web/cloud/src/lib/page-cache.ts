/**
 * A few recent answers by key, each kept for a short time, so the page the reviewer is likely to
 * ask for next (the next page of the queue) can be fetched ahead and shown at once. Entries are
 * promises, so a click during the prefetch waits for the same request instead of sending another.
 */
export function createPageCache<T>(opts: { max?: number; ttlMs?: number; now?: () => number } = {}) {
  const max = opts.max ?? 8;
  const ttl = opts.ttlMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return {
    get(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && now() - hit.at < ttl) return hit.value;
      const value = load();
      entries.delete(key);
      entries.set(key, { at: now(), value });
      // A failed load is not remembered.
      value.catch(() => entries.get(key)?.value === value && entries.delete(key));
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
      return value;
    },
    clear: () => entries.clear(),
  };
}
