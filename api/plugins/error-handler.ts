import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Fastify's errors for URLs it cannot route at all: no route exists for them, so the error handler never sees them. */
const URL_ERRORS: ReadonlySet<string> = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

/**
 * The envelope for failures Fastify meets before routing (a malformed percent-encoding, a path segment over
 * `maxParamLength`): pass as Fastify's `frameworkErrors` option, or they are answered in Fastify's own shape.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (URL_ERRORS.has(error.code)) {
    const invalid = new TrellisError('API_URL_INVALID', error.message);
    return reply.code(invalid.status).send({ error: invalid.toJSON() });
  }
  request.log.error({ err: error }, 'framework error');
  const internal = new TrellisError('INTERNAL', 'internal error');
  return reply.code(internal.status).send({ error: internal.toJSON() });
}

// Node's own HTTP parser errors, met before Fastify has a request; any other is a malformed request.
const CONNECTION_ERRORS: Readonly<Record<string, { code: TrellisErrorCode; message: string }>> = {
  HPE_HEADER_OVERFLOW: { code: 'API_HEADERS_TOO_LARGE', message: 'the request line and headers exceed the server limit' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'API_REQUEST_TIMEOUT', message: 'the request did not arrive in full in time' },
};

/**
 * The envelope for requests Node cannot parse (headers over 16 KiB, broken HTTP, a request that never finishes):
 * pass as Fastify's `clientErrorHandler` option. Written to the socket by hand, which is then closed, as Node does.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CONNECTION_ERRORS[error.code];
  const failure = new TrellisError(known?.code ?? 'API_REQUEST_MALFORMED', known?.message ?? `the HTTP request could not be parsed (${error.code})`);
  const body = JSON.stringify({ error: failure.toJSON() });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
