import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { KbParams, SearchRequestSchema, SearchResponseSchema, toSearchWire } from './schemas.js';

/** Search a knowledge base: the same search the CLI and the knowledge_search tool run, passages with citations. */
export async function searchRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { knowledge } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/knowledge-bases/:kb/search',
    {
      config: { scope: 'chat' },
      schema: {
        tags: ['search'],
        summary: 'Search a knowledge base; passages come with citations and why each ranked where it did',
        params: KbParams,
        body: SearchRequestSchema,
        response: { 200: SearchResponseSchema },
      },
    },
    async (request) => {
      const { query, mode, top_k: topK, filter, diversity } = request.body;
      const result = await knowledge.search({
        tenantId: principalOf(request).tenantId,
        kb: request.params.kb,
        query,
        mode,
        topK,
        filter,
        diversity,
      });
      return toSearchWire(result);
    },
  );
}
