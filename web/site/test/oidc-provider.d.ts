// The slice of oidc-provider's API the login tests use (the package ships no types).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Ctx {
    oidc: { params?: Record<string, unknown> };
  }
  export default class Provider {
    constructor(issuer: string, config: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'grant.success', fn: (ctx: Ctx) => void): void;
    AccessToken: { find(token: string): Promise<{ isExpired: boolean } | undefined> };
  }
}
