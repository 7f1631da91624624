import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { authPlugin } from './auth/plugin.ts';
import type { TokenVerifier } from './auth/verify-token.ts';
import { installErrorHandler } from './error-handler.ts';
import { loggerOptions } from './logger.ts';
import { metricsPlugin } from './metrics.ts';

export interface HttpAppOptions {
  /** Service name in logs, the OpenAPI title and the metrics prefix (`annex-site` → `annex_site_…`). */
  name: string;
  title: string;
  description: string;
  logLevel: string;
  logStream?: NodeJS.WritableStream | undefined;
  webOrigins: string[];
  verifyToken: TokenVerifier;
  bodyLimit?: number;
}

/**
 * What every Annex HTTP service starts with: PHI-redacting logs, zod validation and one error
 * shape, an OpenAPI document at /docs built from the route schemas, CORS for its own web origins,
 * Prometheus /metrics, and bearer-token auth on every route not marked public.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const logger = loggerOptions(options.logLevel, options.name);
  const app = Fastify({
    logger: options.logStream ? { ...logger, stream: options.logStream } : logger,
    trustProxy: true,
    requestIdHeader: 'x-request-id',
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  await app.register(swagger, {
    openapi: {
      info: { title: options.title, version: '0.1.0', description: options.description },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Swagger UI's own routes and assets are public; everything else keeps its own config.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config as object), public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  await app.register(cors, {
    origin: options.webOrigins.length ? options.webOrigins : false,
    credentials: true,
    exposedHeaders: ['ETag', 'Content-Type', 'Content-Length', 'Warning'],
  });
  await app.register(metricsPlugin, { prefix: options.name.replace(/-/g, '_') });
  await app.register(authPlugin, { verify: options.verifyToken });
  return app;
}
