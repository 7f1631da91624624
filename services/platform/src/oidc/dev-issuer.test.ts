import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../auth/verify-token.ts';
import { createDevIssuer } from './dev-issuer.ts';

describe('embedded issuer: authorization code with PKCE', () => {
  it('signs in through the form, exchanges the code with the verifier, refreshes, and refuses a wrong verifier', async () => {
    const issuer = await createDevIssuer({
      baseUrl: 'http://127.0.0.1:1',
      realm: 'r',
      users: [{ username: 'ana', password: 'pw', roles: ['annotator'] }],
      audience: 'annex-site',
      clients: ['viewer'],
    });
    const app = Fastify();
    await issuer.register(app);
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const form = (o: Record<string, string>) => ({
      payload: new URLSearchParams(o).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const authParams = {
      client_id: 'viewer',
      redirect_uri: 'http://app/cb',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const page = await app.inject({
      method: 'GET',
      url: `/realms/r/protocol/openid-connect/auth?response_type=code&${new URLSearchParams(authParams)}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form');
    const login = await app.inject({
      method: 'POST',
      url: '/realms/r/protocol/openid-connect/auth',
      ...form({ ...authParams, username: 'ana', password: 'pw' }),
    });
    expect(login.statusCode).toBe(302);
    const location = new URL(login.headers.location as string);
    expect(location.searchParams.get('state')).toBe('s1');
    const code = location.searchParams.get('code')!;

    const wrong = await app.inject({
      method: 'POST',
      url: '/realms/r/protocol/openid-connect/token',
      ...form({
        grant_type: 'authorization_code',
        code,
        client_id: 'viewer',
        redirect_uri: 'http://app/cb',
        code_verifier: 'x'.repeat(43),
      }),
    });
    expect(wrong.statusCode).toBe(400);

    // The code was consumed by the failed attempt: sign in again and use the right verifier.
    const again = await app.inject({
      method: 'POST',
      url: '/realms/r/protocol/openid-connect/auth',
      ...form({ ...authParams, username: 'ana', password: 'pw' }),
    });
    const code2 = new URL(again.headers.location as string).searchParams.get('code')!;
    const tokens = await app.inject({
      method: 'POST',
      url: '/realms/r/protocol/openid-connect/token',
      ...form({
        grant_type: 'authorization_code',
        code: code2,
        client_id: 'viewer',
        redirect_uri: 'http://app/cb',
        code_verifier: verifier,
      }),
    });
    expect(tokens.statusCode).toBe(200);
    const verify = createTokenVerifier({
      issuer: issuer.issuer,
      audience: 'annex-site',
      jwks: issuer.jwks,
      allowedClients: ['viewer'],
    });
    const principal = await verify(tokens.json().access_token);
    expect(principal.username).toBe('ana');
    expect(principal.roles).toEqual(['annotator']);

    const refreshed = await app.inject({
      method: 'POST',
      url: '/realms/r/protocol/openid-connect/token',
      ...form({
        grant_type: 'refresh_token',
        refresh_token: tokens.json().refresh_token,
        client_id: 'viewer',
      }),
    });
    expect(refreshed.statusCode).toBe(200);
    expect((await verify(refreshed.json().access_token)).username).toBe('ana');
    await app.close();
  });
});

describe('token verification cache', () => {
  it('answers a repeated token from the cache but never past its expiry', async () => {
    const issuer = await createDevIssuer({
      baseUrl: 'http://127.0.0.1:1',
      realm: 'r',
      users: [{ username: 'ana', password: 'pw', roles: ['annotator'] }],
      audience: 'annex-site',
      clients: ['viewer'],
    });
    const verify = createTokenVerifier({
      issuer: issuer.issuer,
      audience: 'annex-site',
      jwks: issuer.jwks,
      clockToleranceSeconds: 0,
    });
    const token = await issuer.mint('ana', { expiresInSeconds: 2 });
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    await new Promise((r) => setTimeout(r, 2100));
    await expect(verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });
});
