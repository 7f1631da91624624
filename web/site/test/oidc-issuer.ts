import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

// A real OpenID provider (oidc-provider) in-process for login tests: authorization code with
// PKCE for the public client `annex-viewer`, refresh tokens, short-lived access tokens, and the
// Keycloak-style `realm_access.roles` claim. Its dev login form accepts any user name.

export interface RunningIssuer {
  issuer: string;
  /** Whether an access token is one this issuer issued and has not expired or revoked. */
  isValid(token: string): Promise<boolean>;
  grants: { authorization_code: number; refresh_token: number };
  /** Revokes a refresh token (RFC 7009), as when the SSO session ends. */
  revoke(refreshToken: string): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuer(opts: {
  redirectUri: string;
  accessTokenTtl: number;
}): Promise<RunningIssuer> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'annex-viewer',
        token_endpoint_auth_method: 'none',
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    clientBasedCORS: () => true,
    cookies: { keys: ['annex-test-cookie-key'] },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, preferred_username: id }),
    }),
    issueRefreshToken: async () => true,
    extraTokenClaims: async () => ({ realm_access: { roles: ['annotator'] } }),
    ttl: {
      AccessToken: opts.accessTokenTtl,
      RefreshToken: 3600,
      Session: 3600,
      Grant: 3600,
      Interaction: 600,
    },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
  });
  const grants = { authorization_code: 0, refresh_token: 0 };
  provider.on('grant.success', (ctx) => {
    const type = ctx.oidc.params?.grant_type as keyof typeof grants | undefined;
    if (type && type in grants) grants[type]++;
  });
  const callback = provider.callback();
  server.on('request', callback);
  return {
    issuer,
    grants,
    async isValid(token) {
      const t = await provider.AccessToken.find(token);
      return Boolean(t && !t.isExpired);
    },
    async revoke(refreshToken) {
      const res = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshToken, client_id: 'annex-viewer' }).toString(),
      });
      if (!res.ok) throw new Error(`revocation failed: HTTP ${res.status}`);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
