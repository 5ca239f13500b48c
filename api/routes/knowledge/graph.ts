import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { GraphEntity, GraphRelation } from '../../../rag/stores/graph/types.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { KbParams } from './schemas.js';

const GraphQuerySchema = z.strictObject({
  entity: z.string().trim().min(1).max(200).describe('Entity name; case, accents and punctuation do not matter, aliases match too'),
  depth: z.coerce.number().int().min(0).max(3).default(1).describe('Relation hops around the entity'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Most entities returned'),
});

const EntitySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  aliases: z.array(z.string()),
  chunk_ids: z.array(z.string()).describe('The chunks that support the entity'),
  weight: z.number(),
});

const RelationSchema = z.object({
  id: z.string(),
  source_id: z.string(),
  target_id: z.string(),
  type: z.string(),
  description: z.string(),
  weight: z.number(),
  chunk_ids: z.array(z.string()),
});

const GraphResponseSchema = z.object({
  kb: z.string(),
  entity: EntitySchema,
  entities: z.array(EntitySchema).describe('The entity and those within `depth` hops, heaviest first'),
  relations: z.array(RelationSchema),
});

const GraphStatsResponseSchema = z.object({
  kb: z.string(),
  entities: z.number().int(),
  relations: z.number().int(),
  mentions: z.number().int(),
  chunks: z.number().int().describe('Chunks with at least one entity'),
  communities: z.number().int(),
  top_entities: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), chunks: z.number().int() })),
});

/**
 * The knowledge graph of a knowledge base: the entities around a name, and the graph's size. Reads, so they need
 * the `chat` scope; a knowledge base of another tenant is as unknown as one that does not exist.
 */
export async function graphRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { knowledge } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/knowledge-bases/:kb/graph',
    {
      config: { scope: 'chat' },
      schema: {
        tags: ['graph'],
        summary: 'The entity a name denotes in the knowledge graph, the entities around it and their relations',
        params: KbParams,
        querystring: GraphQuerySchema,
        response: { 200: GraphResponseSchema },
      },
    },
    async (request) => {
      const { entity, depth, limit } = request.query;
      const view = await knowledge.graph({ tenantId: principalOf(request).tenantId, kb: request.params.kb, entity, depth, limit });
      return { kb: request.params.kb, entity: entityWire(view.entity), entities: view.entities.map(entityWire), relations: view.relations.map(relationWire) };
    },
  );

  routes.get(
    '/knowledge-bases/:kb/graph/stats',
    {
      config: { scope: 'chat' },
      schema: {
        tags: ['graph'],
        summary: 'Size of the knowledge graph and its most mentioned entities',
        params: KbParams,
        response: { 200: GraphStatsResponseSchema },
      },
    },
    async (request) => {
      const stats = await knowledge.graphStats({ tenantId: principalOf(request).tenantId, kb: request.params.kb });
      return {
        kb: request.params.kb,
        entities: stats.entities,
        relations: stats.relations,
        mentions: stats.mentions,
        chunks: stats.chunks,
        communities: stats.communities,
        top_entities: stats.topEntities.map((entity) => ({ ...entity })),
      };
    },
  );
}

function entityWire(entity: GraphEntity): z.infer<typeof EntitySchema> {
  return {
    id: entity.id,
    name: entity.name,
    type: entity.type,
    description: entity.description,
    // Candidate-finding keys (`~initial:…`) are the resolver's business, not the reader's.
    aliases: entity.aliases.filter((alias) => !alias.startsWith('~')),
    chunk_ids: [...entity.chunkIds],
    weight: entity.weight,
  };
}

function relationWire(relation: GraphRelation): z.infer<typeof RelationSchema> {
  return {
    id: relation.id,
    source_id: relation.sourceId,
    target_id: relation.targetId,
    type: relation.type,
    description: relation.description,
    weight: relation.weight,
    chunk_ids: [...relation.chunkIds],
  };
}
