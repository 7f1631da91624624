import { z } from 'zod';

// The token endpoint's answer (RFC 6749 5.1) and what we keep of it.
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().optional(),
  refresh_expires_in: z.number().optional(),
  id_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch ms at which the access token stops being accepted. */
  expiresAt: number;
  /** Epoch ms at which it was received. */
  issuedAt: number;
}

export function toTokenSet(res: TokenResponse, now: number): TokenSet {
  const claims = decodeJwtPayload(res.access_token);
  const exp = typeof claims?.exp === 'number' ? claims.exp * 1000 : undefined;
  return {
    accessToken: res.access_token,
    refreshToken: res.refresh_token,
    idToken: res.id_token,
    expiresAt: res.expires_in !== undefined ? now + res.expires_in * 1000 : (exp ?? now + 300_000),
    issuedAt: now,
  };
}

/** When to refresh: at 70% of the lifetime, or a minute before expiry if that is earlier. */
export function refreshAt(tokens: TokenSet): number {
  const life = tokens.expiresAt - tokens.issuedAt;
  return tokens.issuedAt + Math.max(0, Math.min(life - 60_000, life * 0.7));
}

/** A token this close to expiry is refreshed before use rather than sent. */
export function nearlyExpired(tokens: TokenSet, now: number): boolean {
  const life = tokens.expiresAt - tokens.issuedAt;
  return now >= tokens.expiresAt - Math.min(10_000, life * 0.2);
}

/** Reads a JWT's claims without verifying it: only for display and roles; the server verifies. */
export function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export type Role = 'annotator' | 'reviewer' | 'phi-viewer' | 'site-admin';

export function realmRoles(accessToken: string): string[] {
  const claims = decodeJwtPayload(accessToken);
  const ra = claims?.realm_access as { roles?: unknown } | undefined;
  return Array.isArray(ra?.roles) ? ra.roles.filter((r): r is string => typeof r === 'string') : [];
}
