import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/**
 * One error shape for every route: `{ error: { code, message, details? } }`. Validation errors
 * name the fields, never their values; unexpected errors are logged and answered as INTERNAL.
 */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply
        .code(error.statusCode)
        .send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      const fields = fe.validation.map(
        (v) => `${fe.validationContext ?? 'request'}${v.instancePath || ''}: ${v.message}`,
      );
      return reply.code(400).send({
        error: { code: 'VALIDATION_FAILED', message: 'The request is not valid.', details: { fields } },
      });
    }
    if (fe.statusCode && fe.statusCode < 500) {
      const code =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : (fe.code ?? 'BAD_REQUEST');
      return reply.code(fe.statusCode).send({ error: { code, message: fe.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({
      error: { code: 'INTERNAL', message: 'Something went wrong on the server; it has been logged.' },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    }),
  );
}
