import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { KnowledgeBase } from '../../../rag/knowledge/knowledge-bases.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { KbParams, KnowledgeBaseSchema, toKnowledgeBaseWire } from './schemas.js';

const tags = ['knowledge bases'];

/** Create, list, read and delete a tenant's knowledge bases; each is addressed by its name. */
export async function knowledgeBaseRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { knowledge, ingestJobs } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const wire = (kb: KnowledgeBase) =>
    toKnowledgeBaseWire(kb, { documents: knowledge.documents.countDocuments(kb.id), chunks: knowledge.documents.countChunks(kb.id) });

  routes.post(
    '/knowledge-bases',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Create a knowledge base',
        body: z.strictObject({
          name: z.string().describe('1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
          description: z.string().max(2000).default(''),
        }),
        response: { 201: KnowledgeBaseSchema },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { name, description } = request.body;
      if (findByName(options.runtime, tenantId, name)) {
        throw new TrellisError('KB_ALREADY_EXISTS', `knowledge base ${name} already exists`);
      }
      const kb = knowledge.knowledgeBases.ensure(tenantId, name, description);
      return reply.code(201).header('location', `/knowledge-bases/${encodeURIComponent(kb.name)}`).send(wire(kb));
    },
  );

  routes.get(
    '/knowledge-bases',
    {
      config: { scope: 'chat' },
      schema: { tags, summary: "List this tenant's knowledge bases", response: { 200: z.object({ data: z.array(KnowledgeBaseSchema) }) } },
    },
    async (request) => ({ data: knowledge.knowledgeBases.list(principalOf(request).tenantId).map(wire) }),
  );

  routes.get(
    '/knowledge-bases/:kb',
    {
      config: { scope: 'chat' },
      schema: { tags, summary: 'Get a knowledge base with its document and chunk counts', params: KbParams, response: { 200: KnowledgeBaseSchema } },
    },
    async (request) => wire(knowledge.knowledgeBases.getByName(principalOf(request).tenantId, request.params.kb)),
  );

  routes.delete(
    '/knowledge-bases/:kb',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Delete a knowledge base, its documents and its indexes; its ingest jobs are cancelled first',
        params: KbParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const kb = knowledge.knowledgeBases.getByName(tenantId, request.params.kb);
      await ingestJobs.cancelKnowledgeBase(tenantId, kb.name);
      await knowledge.delete({ tenantId, kb: kb.name });
      return reply.code(204).send(null);
    },
  );
}

function findByName(runtime: Runtime, tenantId: string, name: string): KnowledgeBase | undefined {
  try {
    return runtime.knowledge.knowledgeBases.getByName(tenantId, name);
  } catch (error) {
    if (TrellisError.isInstance(error, 'KB_NOT_FOUND')) return undefined;
    throw error;
  }
}
