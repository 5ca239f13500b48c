import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../runtime/create-runtime.js';
import { TRELLIS_VERSION } from '../../core/version.js';

/**
 * Liveness and readiness, outside auth so that orchestrators can probe them. /healthz answers as long as the
 * process serves requests; /readyz runs the runtime's checks and answers 503 when one has failed, listing each.
 */
export async function healthRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { runtime } = options;
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ status: 'ok', version: TRELLIS_VERSION, instanceId: runtime.instanceId }));
  app.get('/readyz', { config: { scope: 'public' } }, async (_request, reply) => {
    const checks = await runtime.readiness();
    const failed = checks.some((check) => check.state === 'failed');
    const degraded = checks.some((check) => check.state === 'degraded');
    return reply.code(failed ? 503 : 200).send({ status: failed ? 'failed' : degraded ? 'degraded' : 'ok', checks });
  });
}
