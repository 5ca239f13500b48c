import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime/create-runtime.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { healthRoutes } from './routes/health.js';

export interface BuildAppOptions {
  runtime: Runtime;
}

/**
 * The HTTP API as a Fastify instance, not yet listening: tests drive it with `inject()`, `trellis serve` listens.
 * Each resource is one plugin; later issues register theirs here.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { runtime } = options;
  const app = Fastify({
    // Typed as Fastify's logger so the instance keeps Fastify's default generics, which route plugins expect.
    loggerInstance: runtime.logger as FastifyBaseLogger,
    bodyLimit: runtime.config.limits.requestBodyBytes,
    requestTimeout: runtime.config.limits.requestTimeoutMs,
    disableRequestLogging: true,
    genReqId: () => runtime.generateId(),
  });
  installErrorHandler(app);
  await app.register(healthRoutes, { runtime });
  return app;
}
