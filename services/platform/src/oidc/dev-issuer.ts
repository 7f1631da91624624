import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';

/**
 * A small OpenID Connect issuer shaped like a Keycloak realm, for tests and the embedded demo
 * only: it serves `/realms/<realm>/.well-known/openid-configuration` and
 * `/realms/<realm>/protocol/openid-connect/{auth,token,certs,userinfo,logout}` and issues tokens
 * with Keycloak's claims (realm_access, resource_access, azp, preferred_username, groups).
 * It is NOT Keycloak: deployments use the realm export in deploy/keycloak.
 */
export interface DevUser {
  username: string;
  password: string;
  roles: string[];
  groups?: string[];
  /** Stable subject; defaults to a UUID derived from the username. */
  sub?: string;
}

export interface DevIssuerOptions {
  /** Public base URL of the server the issuer is mounted on, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  realm: string;
  users: DevUser[];
  /** Audience put in access tokens (Keycloak: an audience mapper on the client). */
  audience: string;
  /** Public clients allowed to use the authorization-code flow (PKCE S256 required). */
  clients: string[];
  accessTokenSeconds?: number;
}

export interface MintOptions {
  expiresInSeconds?: number;
  audience?: string;
  issuer?: string;
  clientId?: string;
  roles?: string[];
}

export interface DevIssuer {
  issuer: string;
  jwks: JSONWebKeySet;
  mint(username: string, options?: MintOptions): Promise<string>;
  register(app: FastifyInstance): Promise<void>;
}

const subjectOf = (user: DevUser) =>
  user.sub ??
  createHash('sha256')
    .update(`annex-dev-user:${user.username}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5');

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface PendingCode {
  username: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  expiresAt: number;
}

export async function createDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const issuer = `${options.baseUrl.replace(/\/$/, '')}/realms/${options.realm}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const accessSeconds = options.accessTokenSeconds ?? 300;
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, { username: string; clientId: string; expiresAt: number }>();
  const userByName = (username: string) => options.users.find((u) => u.username === username);

  const mint = async (username: string, mintOptions: MintOptions = {}) => {
    const user = userByName(username);
    if (!user) throw new Error(`unknown demo user "${username}"`);
    const clientId = mintOptions.clientId ?? options.clients[0] ?? 'annex';
    const roles = mintOptions.roles ?? user.roles;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      typ: 'Bearer',
      azp: clientId,
      preferred_username: user.username,
      realm_access: { roles },
      resource_access: { [clientId]: { roles: [] } },
      groups: user.groups ?? [],
      scope: 'openid profile',
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(mintOptions.issuer ?? issuer)
      .setAudience(mintOptions.audience ?? options.audience)
      .setSubject(subjectOf(user))
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + (mintOptions.expiresInSeconds ?? accessSeconds))
      .sign(privateKey);
  };

  const tokenResponse = async (username: string, clientId: string) => {
    const refresh = randomBytes(32).toString('base64url');
    refreshTokens.set(refresh, { username, clientId, expiresAt: Date.now() + 30 * 60_000 });
    const accessToken = await mint(username, { clientId });
    return {
      access_token: accessToken,
      id_token: accessToken,
      token_type: 'Bearer',
      expires_in: accessSeconds,
      refresh_token: refresh,
      refresh_expires_in: 1800,
      scope: 'openid profile',
    };
  };

  const oidcError = (reply: FastifyReply, status: number, error: string, description: string) =>
    reply.code(status).send({ error, error_description: description });

  const register = async (app: FastifyInstance) => {
    const base = `/realms/${options.realm}`;
    const oidc = `${base}/protocol/openid-connect`;
    const config = { public: true };
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16_384 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    app.get(`${base}/.well-known/openid-configuration`, { config }, async () => ({
      issuer,
      authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      jwks_uri: `${issuer}/protocol/openid-connect/certs`,
      userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo`,
      end_session_endpoint: `${issuer}/protocol/openid-connect/logout`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
    }));
    app.get(`${oidc}/certs`, { config }, async () => jwks);

    app.get<{ Querystring: Record<string, string | undefined> }>(
      `${oidc}/auth`,
      { config },
      async (request, reply) => {
        const q = request.query;
        if (
          q.response_type !== 'code' ||
          !q.client_id ||
          !options.clients.includes(q.client_id) ||
          !q.redirect_uri
        ) {
          return oidcError(
            reply,
            400,
            'invalid_request',
            'response_type=code, a known client_id and redirect_uri are required',
          );
        }
        if (q.code_challenge_method !== 'S256' || !q.code_challenge) {
          return oidcError(reply, 400, 'invalid_request', 'PKCE with code_challenge_method=S256 is required');
        }
        const hidden = [
          'client_id',
          'redirect_uri',
          'state',
          'code_challenge',
          'code_challenge_method',
          'nonce',
        ]
          .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q[k] ?? '')}">`)
          .join('');
        reply.type('text/html');
        return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to ${escapeHtml(options.realm)}</title>
<style>body{font-family:system-ui;background:#111;color:#eee;display:grid;place-items:center;height:100vh;margin:0}
form{background:#222;padding:2rem;border-radius:8px;display:grid;gap:.8rem;min-width:18rem}input,button{font-size:1rem;padding:.5rem}</style></head>
<body><form method="post" action="${oidc}/auth"><h1>Annex (embedded issuer)</h1>
<label>Username <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
${hidden}<button type="submit">Sign in</button></form></body></html>`;
      },
    );

    app.post<{ Body: Record<string, string | undefined> }>(
      `${oidc}/auth`,
      { config },
      async (request, reply) => {
        const b = request.body ?? {};
        const user = userByName(b.username ?? '');
        if (!b.client_id || !options.clients.includes(b.client_id) || !b.redirect_uri || !b.code_challenge) {
          return oidcError(reply, 400, 'invalid_request', 'incomplete authorization request');
        }
        if (!user || !safeEqual(user.password, b.password ?? '')) {
          reply.code(401).type('text/html');
          return '<!doctype html><p>Invalid username or password. <a href="javascript:history.back()">Try again</a></p>';
        }
        const code = randomBytes(24).toString('base64url');
        codes.set(code, {
          username: user.username,
          clientId: b.client_id,
          redirectUri: b.redirect_uri,
          challenge: b.code_challenge,
          nonce: b.nonce,
          expiresAt: Date.now() + 60_000,
        });
        const target = new URL(b.redirect_uri);
        target.searchParams.set('code', code);
        if (b.state) target.searchParams.set('state', b.state);
        return reply.redirect(target.toString(), 302);
      },
    );

    app.post<{ Body: Record<string, string | undefined> }>(
      `${oidc}/token`,
      { config },
      async (request, reply) => {
        const b = request.body ?? {};
        if (b.grant_type === 'authorization_code') {
          const pending = codes.get(b.code ?? '');
          codes.delete(b.code ?? '');
          if (
            !pending ||
            pending.expiresAt < Date.now() ||
            pending.clientId !== b.client_id ||
            pending.redirectUri !== b.redirect_uri
          ) {
            return oidcError(
              reply,
              400,
              'invalid_grant',
              'code is invalid, expired or was issued to another client',
            );
          }
          const challenge = createHash('sha256')
            .update(b.code_verifier ?? '')
            .digest('base64url');
          if (!safeEqual(challenge, pending.challenge)) {
            return oidcError(reply, 400, 'invalid_grant', 'PKCE verification failed');
          }
          return tokenResponse(pending.username, pending.clientId);
        }
        if (b.grant_type === 'refresh_token') {
          const entry = refreshTokens.get(b.refresh_token ?? '');
          refreshTokens.delete(b.refresh_token ?? '');
          if (!entry || entry.expiresAt < Date.now())
            return oidcError(reply, 400, 'invalid_grant', 'refresh token is invalid or expired');
          return tokenResponse(entry.username, entry.clientId);
        }
        if (b.grant_type === 'password') {
          // Keycloak's "direct access grant", enabled here for scripts and tests of the demo realm.
          const user = userByName(b.username ?? '');
          if (!user || !safeEqual(user.password, b.password ?? '')) {
            return oidcError(reply, 401, 'invalid_grant', 'Invalid user credentials');
          }
          return tokenResponse(user.username, b.client_id ?? options.clients[0] ?? 'annex');
        }
        return oidcError(
          reply,
          400,
          'unsupported_grant_type',
          'use authorization_code, refresh_token or password',
        );
      },
    );

    app.get(`${oidc}/userinfo`, { config }, async (request, reply) => {
      const token = request.headers.authorization?.replace(/^Bearer /, '');
      if (!token) return oidcError(reply, 401, 'invalid_token', 'bearer token required');
      try {
        const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer });
        return { sub: payload.sub, preferred_username: payload.preferred_username };
      } catch {
        return oidcError(reply, 401, 'invalid_token', 'token is invalid or expired');
      }
    });
    app.get<{ Querystring: { post_logout_redirect_uri?: string } }>(
      `${oidc}/logout`,
      { config },
      async (request, reply) =>
        request.query.post_logout_redirect_uri
          ? reply.redirect(request.query.post_logout_redirect_uri, 302)
          : { ok: true },
    );
  };

  return { issuer, jwks, mint, register };
}
