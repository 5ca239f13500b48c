import type { FastifyError, FastifyInstance } from 'fastify';
import { TrellisError, type TrellisErrorCode } from '../../core/errors.js';

// Fastify's own client-error codes, mapped onto the catalogue so clients see one vocabulary.
const FASTIFY_CODES: Readonly<Record<string, TrellisErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_MEDIA_TYPE_UNSUPPORTED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_BODY_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_BODY_INVALID',
};

/**
 * One error shape for every route: the OpenAI-style envelope `{ error: { code, message, hint } }`, so OpenAI
 * clients surface Trellis failures as they surface OpenAI's. TrellisErrors keep their catalogue status; Fastify's
 * own client errors (bad JSON, oversized bodies) keep theirs; anything else is a 500 with the details only in the log.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | TrellisError | Error, request, reply) => {
    if (TrellisError.isInstance(error)) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply.code(error.status).send({ error: error.toJSON() });
    }
    const statusCode = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (statusCode < 500) {
      const fastifyCode = 'code' in error && typeof error.code === 'string' ? error.code : '';
      const mapped = new TrellisError(FASTIFY_CODES[fastifyCode] ?? 'API_BODY_INVALID', error.message);
      return reply.code(statusCode).send({ error: mapped.toJSON() });
    }
    request.log.error({ err: error }, 'unhandled error');
    const internal = new TrellisError('INTERNAL', 'internal error');
    return reply.code(500).send({ error: internal.toJSON() });
  });

  app.setNotFoundHandler((request, reply) => {
    const notFound = new TrellisError('API_NOT_FOUND', `no route ${request.method} ${request.url}`);
    return reply.code(404).send({ error: notFound.toJSON() });
  });
}
