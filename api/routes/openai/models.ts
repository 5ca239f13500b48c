import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';

const ModelSchema = z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() });

/** `GET /v1/models`: every agent and graph a chat completion can name as its `model`. */
export async function modelRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { runtime } = options;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  // The instance's creation time: targets have no dates of their own, and clients sort or display this field.
  const created = Math.floor(Date.parse(runtime.db.prepare("SELECT value FROM instance WHERE key = 'created_at'").pluck().get() as string) / 1000);
  const toModel = (id: string) => ({ id, object: 'model' as const, created, owned_by: 'trellis' });

  routes.get(
    '/v1/models',
    { schema: { tags: ['openai'], summary: 'List the agents and graphs as models', response: { 200: z.object({ object: z.literal('list'), data: z.array(ModelSchema) }) } } },
    async () => ({ object: 'list' as const, data: runtime.runs.targets().map(toModel) }),
  );

  routes.get(
    '/v1/models/:model',
    { schema: { tags: ['openai'], summary: 'Describe one agent or graph', params: z.object({ model: z.string().max(200) }), response: { 200: ModelSchema } } },
    async (request) => {
      if (!runtime.runs.targets().includes(request.params.model)) {
        throw new TrellisError('RUN_TARGET_UNKNOWN', `no agent or graph named ${request.params.model}`);
      }
      return toModel(request.params.model);
    },
  );
}
