import { describe, expect, it } from 'vitest';
import { deidentifiedUid, UidRemapper } from './uid-remap.ts';

const secret = 'uid-secret-0123456789abcdef';

describe('UidRemapper', () => {
  it('maps a UID to the same valid 2.25 UID every time, and different UIDs apart', () => {
    const a = deidentifiedUid(secret, '1.2.840.113619.2.55.3.1');
    expect(a).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(new UidRemapper(secret).remap('1.2.840.113619.2.55.3.1')).toBe(a);
    expect(deidentifiedUid(secret, '1.2.840.113619.2.55.3.2')).not.toBe(a);
    expect(deidentifiedUid('another-uid-secret-fedcba98', '1.2.840.113619.2.55.3.1')).not.toBe(a);
  });

  it('keeps UIDs it produced itself (so a second pass changes nothing) and only those', () => {
    const r = new UidRemapper(secret);
    const once = r.remap('1.2.3.4.5');
    expect(r.isOwn(once)).toBe(true);
    expect(r.remap(once)).toBe(once);
    expect(new UidRemapper('another-uid-secret-fedcba98').isOwn(once)).toBe(false);
    expect(r.isOwn('2.25.123456789')).toBe(false);
  });
});
