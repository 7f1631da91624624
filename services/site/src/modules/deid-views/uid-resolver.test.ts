import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { type LoadedStudies, loadTestStudies } from '../dicomweb/test-studies.ts';
import { createDeidUidRepository } from './repository.ts';
import { DeidUidResolver } from './uid-resolver.ts';

let site: TestSite;
let s: LoadedStudies;
beforeAll(async () => {
  site = await startTestSite();
  s = await loadTestStudies(site, 'uid-resolver');
});
afterAll(async () => site?.close());

/** A resolver over the real stored mapping, counting how often it asks the store. */
function resolverWithCount() {
  const stored = createDeidUidRepository(site.deps.prisma);
  const calls = { lookup: 0 };
  const repository = {
    ...stored,
    lookup: (keyId: string, uids: string[]) => {
      calls.lookup++;
      return stored.lookup(keyId, uids);
    },
  };
  return { resolver: new DeidUidResolver(site.config.SITE_SECRET, repository), calls };
}

describe('DeidUidResolver.learn', () => {
  it('learns the same way back that the store holds, and answers it without a stored lookup', async () => {
    const sop = s.ct.sopInstanceUids[0]!;
    const { resolver, calls } = resolverWithCount();
    const deid = resolver.deid(sop);
    resolver.learn('instance', sop);
    expect(await resolver.resolve([{ level: 'instance', uid: deid }])).toEqual([sop]);
    expect(calls.lookup).toBe(0);

    // What the store gives for the same UID (after it maps the index) is what was learned.
    const fresh = resolverWithCount();
    expect(await fresh.resolver.resolve([{ level: 'instance', uid: deid }])).toEqual([sop]);
    expect(fresh.calls.lookup).toBeGreaterThan(0);
  });

  it('learns one level only: the same UID at another level, or a UID not learned, still goes to the store', async () => {
    const { resolver, calls } = resolverWithCount();
    resolver.learn('instance', s.ct.sopInstanceUids[0]!);
    const deid = resolver.deid(s.ct.sopInstanceUids[0]!);
    expect(await resolver.resolve([{ level: 'series', uid: deid }])).toBeUndefined();
    expect(calls.lookup).toBeGreaterThan(0);
    // A UID this secret did not make is refused before any lookup, learned or not.
    const before = calls.lookup;
    expect(await resolver.resolve([{ level: 'instance', uid: '1.2.3.4.5' }])).toBeUndefined();
    expect(calls.lookup).toBe(before);
  });
});
