import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64url, randomVerifier, s256Challenge } from './pkce.ts';

describe('PKCE', () => {
  it('computes the RFC 7636 appendix B challenge', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes verifiers of 43 unreserved characters that differ every time', () => {
    const a = randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomVerifier()).not.toBe(a);
  });

  it('agrees with Node crypto on random inputs', async () => {
    const v = randomVerifier(48);
    expect(await s256Challenge(v)).toBe(createHash('sha256').update(v).digest('base64url'));
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });
});
