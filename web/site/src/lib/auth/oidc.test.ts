import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { beginLogin, discover, exchangeCode, OidcError, refreshTokens } from './oidc.ts';
import { nearlyExpired, realmRoles, refreshAt, toTokenSet } from './tokens.ts';

const cfg = { issuer: 'https://kc/realms/site', clientId: 'annex-viewer', scope: 'openid profile' };
const endpoints = {
  authorization: 'https://kc/realms/site/protocol/openid-connect/auth',
  token: 'https://kc/realms/site/protocol/openid-connect/token',
};

function jwt(claims: object): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc(claims)}.sig`;
}

/** A token endpoint that really checks PKCE: S256(code_verifier) must equal the challenge it was given. */
function tokenEndpoint(challenge: string, code: string) {
  const calls: URLSearchParams[] = [];
  const fn = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = new URLSearchParams(String(init?.body));
    calls.push(body);
    if (body.get('grant_type') === 'authorization_code') {
      const ok =
        body.get('code') === code &&
        createHash('sha256')
          .update(body.get('code_verifier') ?? '')
          .digest('base64url') === challenge;
      if (!ok) return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 });
    }
    return Response.json({
      access_token: jwt({ exp: 2_000_000_000, realm_access: { roles: ['annotator', 'reviewer'] } }),
      token_type: 'Bearer',
      expires_in: 300,
      ...(body.get('grant_type') === 'authorization_code' ? { refresh_token: 'r1' } : {}),
    });
  }) as typeof fetch;
  return { fn, calls };
}

describe('OIDC authorization code with PKCE', () => {
  it('asks the issuer for a code with an S256 challenge and exchanges it with the verifier', async () => {
    const { url, pending } = await beginLogin(cfg, endpoints, 'https://site/', '#/view/1/2');
    const q = new URL(url).searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('annex-viewer');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')).toBe(pending.state);
    const { fn, calls } = tokenEndpoint(q.get('code_challenge') ?? '', 'the-code');
    const tokens = await exchangeCode(
      cfg,
      endpoints,
      pending,
      { code: 'the-code', state: pending.state },
      fn,
      () => 1000,
    );
    expect(tokens.expiresAt).toBe(301_000);
    expect(tokens.refreshToken).toBe('r1');
    expect(realmRoles(tokens.accessToken)).toEqual(['annotator', 'reviewer']);
    expect(calls[0]?.get('redirect_uri')).toBe('https://site/');
  });

  it('refuses a response whose state does not match, before calling the token endpoint', async () => {
    const { pending } = await beginLogin(cfg, endpoints, 'https://site/', '');
    const { fn, calls } = tokenEndpoint('x', 'c');
    await expect(
      exchangeCode(cfg, endpoints, pending, { code: 'c', state: 'forged' }, fn),
    ).rejects.toMatchObject({
      code: 'OIDC_STATE_MISMATCH',
    });
    expect(calls).toHaveLength(0);
  });

  it('fails with a typed error when the verifier does not match the challenge', async () => {
    const { pending } = await beginLogin(cfg, endpoints, 'https://site/', '');
    const { fn } = tokenEndpoint('some-other-challenge', 'c');
    const err = await exchangeCode(cfg, endpoints, pending, { code: 'c', state: pending.state }, fn).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(OidcError);
    expect(err.code).toBe('OIDC_TOKEN_FAILED');
  });

  it('keeps the old refresh token when the issuer does not rotate it', async () => {
    const { fn, calls } = tokenEndpoint('x', 'c');
    const t = await refreshTokens(cfg, endpoints, 'r0', fn, () => 0);
    expect(t.refreshToken).toBe('r0');
    expect(calls[0]?.get('grant_type')).toBe('refresh_token');
  });

  it("falls back to Keycloak's endpoint layout when discovery is unavailable", async () => {
    const fn = (async () => new Response('nope', { status: 404 })) as unknown as typeof fetch;
    expect(await discover('https://kc/realms/site/', fn)).toMatchObject(endpoints);
  });

  it('refreshes at 70% of the lifetime and treats the last 20% (at most 10 s) as expired', () => {
    const long = toTokenSet({ access_token: 'a', token_type: 'Bearer', expires_in: 300 }, 0);
    expect(refreshAt(long)).toBe(210_000);
    const short = toTokenSet({ access_token: 'a', token_type: 'Bearer', expires_in: 60 }, 0);
    expect(refreshAt(short)).toBe(0);
    const tiny = toTokenSet({ access_token: 'a', token_type: 'Bearer', expires_in: 10 }, 1000);
    expect(nearlyExpired(tiny, 8000)).toBe(false);
    expect(nearlyExpired(tiny, 9000)).toBe(true);
  });
});
