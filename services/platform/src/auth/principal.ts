/** Who is calling, as established from a verified Keycloak access token. */
export interface Principal {
  sub: string;
  username: string;
  roles: string[];
  groups: string[];
  clientId: string | undefined;
}

export const hasAnyRole = (principal: Principal, roles: readonly string[]) =>
  roles.some((role) => principal.roles.includes(role));
