import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface MetricsRouteOptions {
  /** The Prometheus text exposition content type, with its version. */
  readonly contentType: string;
  readonly scrape: () => Promise<string>;
}

/** GET /metrics for Prometheus. It needs an admin key: the metrics name every route, target and error of the server. */
export async function metricsRoutes(app: FastifyInstance, options: MetricsRouteOptions): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/metrics',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics; needs an admin key',
        description:
          'Request latency, requests and errors by route, runs, active runs, streamed tokens and process metrics. ' +
          'Scrape with an admin key as a bearer token: `authorization: { type: Bearer, credentials_file: <file holding the key> }`.',
        response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
      },
    },
    async (_request, reply) => reply.type(options.contentType).send(await options.scrape()),
  );
}
