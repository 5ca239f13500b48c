import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { TrellisError } from '../core/errors.js';
import type { Runtime } from '../runtime/create-runtime.js';
import { authPlugin } from './plugins/auth.js';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './plugins/error-handler.js';
import { jsonBodyPlugin } from './plugins/json-body.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openApiPlugin } from './plugins/openapi.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { knowledgeRoutes } from './routes/knowledge/index.js';
import { langGraphRoutes } from './routes/langgraph/index.js';
import { mcpRoutes } from './routes/mcp/index.js';
import { openAiRoutes } from './routes/openai/index.js';
import { traceRoutes } from './routes/traces.js';
import { webSocketRoutes } from './routes/websocket/index.js';
import { webSocketServerOptions } from './routes/websocket/server-options.js';

export interface BuildAppOptions {
  runtime: Runtime;
}

/**
 * The HTTP API as a Fastify instance, not yet listening: tests drive it with `inject()` or `listen({ port: 0 })`,
 * `trellis serve` listens. Each concern is one plugin; request and response shapes are zod schemas, which validate
 * requests and generate the OpenAPI document at /docs.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { runtime } = options;
  const { config } = runtime;
  const app = Fastify({
    // Typed as Fastify's logger so the instance keeps Fastify's default generics, which route plugins expect.
    loggerInstance: runtime.logger as FastifyBaseLogger,
    bodyLimit: config.limits.requestBodyBytes,
    requestTimeout: config.limits.requestTimeoutMs,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => runtime.generateId(),
    // Clients may send any id in a URL; a path that long is hostile, not a route.
    routerOptions: { maxParamLength: 256 },
    // Requests refused before routing (bad URLs, unparsable HTTP) get the same error envelope as every other failure.
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  await app.register(jsonBodyPlugin);
  await app.register(openApiPlugin);
  // Before auth: its onRequest hook marks upgrade requests, and only a marked socket is closed after a refusal (401).
  await app.register(websocket, webSocketServerOptions(config.limits.requestBodyBytes));
  // Before auth: browsers send preflights without credentials, and a 401 must carry CORS headers to be readable.
  if (config.server.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.server.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Not CORS-safelisted, so browser code could not back off as a 429 asks without this.
      exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    });
  }
  await app.register(authPlugin, { apiKeys: runtime.apiKeys, enabled: config.auth.enabled });
  if (config.auth.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: config.auth.rateLimitPerMinute,
      timeWindow: 60_000,
      // Per API key, after authentication (the auth hook runs first): tenants behind one proxy do not share a budget.
      keyGenerator: (request) => request.principal?.keyId ?? request.ip,
      allowList: (request) => request.routeOptions.config.scope === 'public',
      errorResponseBuilder: (_request, context) =>
        new TrellisError('API_RATE_LIMITED', `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`),
    });
  }
  await app.register(metricsPlugin, { runtime });
  await app.register(healthRoutes, { runtime });
  await app.register(keyRoutes, { runtime });
  await app.register(knowledgeRoutes, { runtime });
  await app.register(openAiRoutes, { runtime });
  await app.register(langGraphRoutes, { runtime });
  await app.register(traceRoutes, { runtime });
  await app.register(feedbackRoutes, { runtime });
  await app.register(webSocketRoutes, { runtime });
  await app.register(mcpRoutes, { runtime });
  return app;
}
