/**
 * Every error becomes `{"message": …}` (Odahu's `HTTPResult`) with a 4xx for anything the client caused. Only a
 * real server fault answers 500, and its details go to the log, not to the client.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../domain/errors.js';

interface AjvLikeError {
  instancePath?: string;
  message?: string;
}

/** `spec.model.name must be …` from Ajv errors of a request part. */
export function formatSchemaErrors(errors: readonly AjvLikeError[], part: string): string {
  const first = errors[0];
  const where = (first?.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  return `invalid ${part}: ${where === '' ? part : where} ${first?.message ?? 'is invalid'}`;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send({ message: error.message });
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return reply.status(400).send({
        message: formatSchemaErrors(fastifyError.validation, fastifyError.validationContext ?? 'request'),
      });
    }
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ message: 'internal server error; the server log has the details' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
  );
}
