import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';

export interface TokenVerifierOptions {
  /** e.g. https://keycloak.example/realms/annex-site */
  issuer: string;
  /** Accepted `aud` values (Keycloak puts the resource client's id there via an audience mapper). */
  audience: string | string[];
  /** Clients allowed to have requested the token (`azp`); empty means any. */
  allowedClients?: string[];
  /** The client whose `resource_access.<client>.roles` also count as roles. */
  resourceClient?: string;
  /** Defaults to `<issuer>/protocol/openid-connect/certs`. */
  jwksUrl?: string;
  /** In-process key set (tests, the embedded issuer) instead of fetching the JWKS. */
  jwks?: JSONWebKeySet;
  clockToleranceSeconds?: number;
}

interface KeycloakClaims extends JWTPayload {
  azp?: string;
  preferred_username?: string;
  name?: string;
  realm_access?: { roles?: string[] };
  resource_access?: Record<string, { roles?: string[] }>;
  groups?: string[];
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = options.jwks
    ? createLocalJWKSet(options.jwks)
    : createRemoteJWKSet(new URL(options.jwksUrl ?? `${options.issuer}/protocol/openid-connect/certs`), {
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
  // Verified tokens are remembered until they expire: a viewer fetches hundreds of frames with one
  // token, and a signature check per frame costs more than serving it. Bounded, oldest out first.
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit.principal;
    if (hit) verified.delete(token);
    const principal = await verifyOnce(token);
    if (verified.size >= 10_000) verified.delete(verified.keys().next().value!);
    verified.set(token, { principal: principal.value, expiresAt: principal.expiresAt });
    return principal.value;
  };

  async function verifyOnce(token: string): Promise<{ value: Principal; expiresAt: number }> {
    let claims: KeycloakClaims;
    try {
      const result = await jwtVerify<KeycloakClaims>(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      });
      claims = result.payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new AppError('TOKEN_EXPIRED', 401, 'The access token has expired; sign in again.');
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw new AppError(
          'TOKEN_INVALID',
          401,
          `The access token was rejected: ${error.claim} claim mismatch.`,
        );
      }
      throw new AppError('TOKEN_INVALID', 401, 'The access token could not be verified.');
    }
    if (claims.typ !== undefined && claims.typ !== 'Bearer') {
      throw new AppError('TOKEN_INVALID', 401, 'Only access tokens (typ Bearer) are accepted.');
    }
    if (options.allowedClients?.length && !options.allowedClients.includes(claims.azp ?? '')) {
      throw new AppError(
        'TOKEN_INVALID',
        401,
        'The token was issued to a client this service does not accept.',
      );
    }
    const roles = new Set(claims.realm_access?.roles ?? []);
    if (options.resourceClient) {
      for (const role of claims.resource_access?.[options.resourceClient]?.roles ?? []) roles.add(role);
    }
    if (!claims.sub) throw new AppError('TOKEN_INVALID', 401, 'The token has no subject.');
    return {
      value: {
        sub: claims.sub,
        username: claims.preferred_username ?? claims.sub,
        ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
        roles: [...roles],
        groups: claims.groups ?? [],
        clientId: claims.azp,
      },
      expiresAt: (claims.exp ?? 0) * 1000,
    };
  }
}

/** The OIDC settings every service reads from its environment (config.ts of site and cloud). */
export interface OidcSettings {
  OIDC_ISSUER: string;
  OIDC_AUDIENCE: string;
  OIDC_CLIENTS: string[];
  OIDC_JWKS_URL?: string | undefined;
}

/**
 * The verifier for a service's settings: the realm's JWKS over HTTP, or the embedded issuer's
 * keys in-process (demo and tests). The audience client's own roles count as roles too.
 */
export function tokenVerifierFor(settings: OidcSettings, embedded?: { jwks: JSONWebKeySet }): TokenVerifier {
  return createTokenVerifier({
    issuer: settings.OIDC_ISSUER,
    audience: settings.OIDC_AUDIENCE,
    allowedClients: settings.OIDC_CLIENTS,
    resourceClient: settings.OIDC_AUDIENCE,
    ...(embedded
      ? { jwks: embedded.jwks }
      : settings.OIDC_JWKS_URL
        ? { jwksUrl: settings.OIDC_JWKS_URL }
        : {}),
  });
}
