import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { hasAnyRole, type Principal } from './principal.ts';
import type { TokenVerifier } from './verify-token.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** preHandler that requires a verified token carrying at least one of `roles`. */
    requireRole(...roles: string[]): preHandlerAsyncHookHandler;
  }
  interface FastifyContextConfig {
    /** Routes that need no token (health, docs, the OIDC issuer). */
    public?: boolean;
    /**
     * A request this says yes to needs no token: the route authenticates it another way (a signed
     * download link) and must check that itself before it answers.
     */
    authenticatesItself?: (request: FastifyRequest) => boolean;
  }
}

export interface AuthPluginOptions {
  verify: TokenVerifier;
}

const bearer = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return undefined;
};

/**
 * Every route needs a verified bearer token unless its config says `public: true`; roles are
 * checked per route with `app.requireRole(...)`.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app, { verify }) => {
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      const config = request.routeOptions.config;
      if (config?.public || config?.authenticatesItself?.(request) || request.method === 'OPTIONS') return;
      const token = bearer(request);
      if (!token)
        throw new AppError('TOKEN_MISSING', 401, 'Send an access token as "Authorization: Bearer <token>".');
      request.principal = await verify(token);
    });
    app.decorate('requireRole', (...roles: string[]) => async (request: FastifyRequest) => {
      const principal = request.principal;
      if (!principal) throw new AppError('TOKEN_MISSING', 401, 'Authentication required.');
      if (!hasAnyRole(principal, roles)) {
        throw new AppError('FORBIDDEN_ROLE', 403, `This action needs one of the roles: ${roles.join(', ')}.`);
      }
    });
  },
  { name: 'annex-auth' },
);
