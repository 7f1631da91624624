import { randomVerifier, s256Challenge } from './pkce.ts';
import { type TokenSet, tokenResponseSchema, toTokenSet } from './tokens.ts';

export interface OidcEndpoints {
  authorization: string;
  token: string;
  endSession?: string;
}

export interface OidcClientConfig {
  issuer: string;
  clientId: string;
  scope: string;
}

/** Discovery first; Keycloak's fixed paths if the issuer has no discovery document. */
export async function discover(issuer: string, fetchFn: typeof fetch): Promise<OidcEndpoints> {
  const base = issuer.replace(/\/+$/, '');
  try {
    const res = await fetchFn(`${base}/.well-known/openid-configuration`);
    if (res.ok) {
      const doc = (await res.json()) as Record<string, unknown>;
      if (typeof doc.authorization_endpoint === 'string' && typeof doc.token_endpoint === 'string') {
        return {
          authorization: doc.authorization_endpoint,
          token: doc.token_endpoint,
          endSession: typeof doc.end_session_endpoint === 'string' ? doc.end_session_endpoint : undefined,
        };
      }
    }
  } catch {
    // fall through to Keycloak's layout
  }
  return {
    authorization: `${base}/protocol/openid-connect/auth`,
    token: `${base}/protocol/openid-connect/token`,
    endSession: `${base}/protocol/openid-connect/logout`,
  };
}

/** What must survive the round trip to the issuer (kept in sessionStorage, keyed by state). */
export interface PendingLogin {
  state: string;
  verifier: string;
  redirectUri: string;
  /** The app route to return to. */
  returnTo: string;
  popup: boolean;
}

export async function beginLogin(
  cfg: OidcClientConfig,
  endpoints: OidcEndpoints,
  redirectUri: string,
  returnTo: string,
  popup = false,
): Promise<{ url: string; pending: PendingLogin }> {
  const verifier = randomVerifier();
  const state = randomVerifier(16);
  const url = new URL(endpoints.authorization);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri,
    scope: cfg.scope,
    state,
    code_challenge: await s256Challenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.toString(), pending: { state, verifier, redirectUri, returnTo, popup } };
}

export class OidcError extends Error {
  constructor(
    readonly code: 'OIDC_STATE_MISMATCH' | 'OIDC_TOKEN_FAILED' | 'OIDC_DENIED',
    message: string,
  ) {
    super(message);
  }
}

async function tokenRequest(
  endpoints: OidcEndpoints,
  body: Record<string, string>,
  fetchFn: typeof fetch,
  now: () => number,
): Promise<TokenSet> {
  const res = await fetchFn(endpoints.token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  if (!res.ok) throw new OidcError('OIDC_TOKEN_FAILED', `token endpoint answered HTTP ${res.status}`);
  const parsed = tokenResponseSchema.safeParse(await res.json());
  if (!parsed.success)
    throw new OidcError('OIDC_TOKEN_FAILED', 'token endpoint answered without an access token');
  return toTokenSet(parsed.data, now());
}

export function exchangeCode(
  cfg: OidcClientConfig,
  endpoints: OidcEndpoints,
  pending: PendingLogin,
  callback: { code?: string | null; state?: string | null; error?: string | null },
  fetchFn: typeof fetch,
  now: () => number = Date.now,
): Promise<TokenSet> {
  if (callback.error)
    return Promise.reject(new OidcError('OIDC_DENIED', `login was refused (${callback.error})`));
  if (!callback.code || callback.state !== pending.state) {
    return Promise.reject(
      new OidcError('OIDC_STATE_MISMATCH', 'login response does not match the request; log in again'),
    );
  }
  return tokenRequest(
    endpoints,
    {
      grant_type: 'authorization_code',
      code: callback.code,
      redirect_uri: pending.redirectUri,
      client_id: cfg.clientId,
      code_verifier: pending.verifier,
    },
    fetchFn,
    now,
  );
}

export async function refreshTokens(
  cfg: OidcClientConfig,
  endpoints: OidcEndpoints,
  refreshToken: string,
  fetchFn: typeof fetch,
  now: () => number = Date.now,
): Promise<TokenSet> {
  const next = await tokenRequest(
    endpoints,
    { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: cfg.clientId },
    fetchFn,
    now,
  );
  // Keycloak may not rotate the refresh token; keep the old one then.
  return { ...next, refreshToken: next.refreshToken ?? refreshToken };
}
