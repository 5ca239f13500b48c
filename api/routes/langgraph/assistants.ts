import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AssistantEntry } from './assistant-catalog.js';
import type { ProtocolContext } from './protocol-context.js';
import { AssistantCountBody, AssistantParams, AssistantSearchBody, WireAssistant } from './schemas.js';
import { selectFields, toWireAssistant } from './wire.js';

const chat = { scope: 'chat' as const };
const tags = ['langgraph'];

/**
 * Assistants are the graphs and agents Trellis can run, one each, named after them; they are the same for every
 * tenant and cannot be created, changed or deleted through the protocol (agents are files, see agents.dir).
 */
export async function assistantRoutes(app: FastifyInstance, options: { context: ProtocolContext }): Promise<void> {
  const { catalog, since } = options.context;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  function matching(filter: z.output<typeof AssistantCountBody>): AssistantEntry[] {
    return catalog.list().filter((entry) => {
      const wire = toWireAssistant(entry, since);
      if (filter.graph_id && entry.target !== filter.graph_id) return false;
      if (filter.name && !entry.target.toLowerCase().includes(filter.name.toLowerCase())) return false;
      return Object.entries(filter.metadata ?? {}).every(([key, value]) => isDeepStrictEqual((wire.metadata as Record<string, unknown>)[key], value));
    });
  }

  routes.post(
    '/assistants/search',
    {
      config: chat,
      schema: { tags, summary: 'List the assistants: every graph and agent', body: AssistantSearchBody, response: { 200: z.array(WireAssistant.partial()) } },
    },
    async (request, reply) => {
      const { limit = 10, offset = 0, select } = request.body;
      const found = matching(request.body);
      if (offset + limit < found.length) reply.header('x-pagination-next', String(offset + limit));
      return found.slice(offset, offset + limit).map((entry) => selectFields(toWireAssistant(entry, since), select));
    },
  );

  routes.post(
    '/assistants/count',
    { config: chat, schema: { tags, summary: 'Count the assistants matching a filter', body: AssistantCountBody, response: { 200: z.number() } } },
    async (request) => matching(request.body).length,
  );

  routes.get(
    '/assistants/:assistant_id',
    { config: chat, schema: { tags, summary: 'Get an assistant by id or by graph/agent name', params: AssistantParams, response: { 200: WireAssistant } } },
    async (request) => toWireAssistant(catalog.resolve(request.params.assistant_id), since),
  );
}
