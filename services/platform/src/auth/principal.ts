/** Who is calling, as established from a verified Keycloak access token. */
export interface Principal {
  sub: string;
  username: string;
  /** The token's `name` claim (a person's display name), when the identity provider sends one. */
  name?: string | undefined;
  roles: string[];
  groups: string[];
  clientId: string | undefined;
}

export const hasAnyRole = (principal: Principal, roles: readonly string[]) =>
  roles.some((role) => principal.roles.includes(role));
