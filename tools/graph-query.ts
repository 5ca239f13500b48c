import { z } from 'zod';
import { TrellisError } from '../core/errors.js';
import { defineTool } from './define-tool.js';

/**
 * Looks an entity up in a knowledge base's graph and returns what surrounds it: related entities and the relations
 * between them, each with the chunks that support it, and the passages that mention the entity most.
 */
export default defineTool({
  name: 'graph_query',
  description:
    'Explore the knowledge graph of a knowledge base: give an entity name (person, organisation, place, work, ' +
    'concept) and get its related entities, the relations between them, and passages about it to cite. Use it to ' +
    'follow links between facts ("who directed X, and where did they study?").',
  schema: z.object({
    entity: z.string().min(1).max(200).describe('The entity name, as written in the documents; case and accents do not matter'),
    kb: z.string().min(1).optional().describe('Knowledge base name; leave out to use the default one'),
    depth: z.number().int().min(0).max(3).default(1).describe('Relation hops around the entity: 1 for direct neighbours, 2 for their neighbours'),
    limit: z.number().int().min(1).max(50).default(20).describe('Most related entities to return'),
  }),
  idempotent: true,
  async execute({ entity, kb, depth, limit }, { tenantId, knowledge, defaultKb, signal }) {
    const name = kb ?? defaultKb;
    if (name === undefined) {
      throw new TrellisError('TOOL_INPUT_INVALID', 'no knowledge base was named and this run has no default one', {
        hint: 'Call graph_query again with `kb` set to a knowledge base name.',
      });
    }
    if (!knowledge.graph) throw new TrellisError('KNOWLEDGE_GRAPH_DISABLED', 'the knowledge graph is not available to this run');
    const view = await knowledge.graph({ tenantId, kb: name, entity, depth, limit });
    const passages = await knowledge.search({ tenantId, kb: name, query: view.entity.name, mode: 'graph-local', topK: 3, signal });
    const nameOf = new Map(view.entities.map((item) => [item.id, item.name]));
    return {
      kb: name,
      entity: { name: view.entity.name, type: view.entity.type, description: view.entity.description, aliases: view.entity.aliases.filter((alias) => !alias.startsWith('~')).slice(0, 10) },
      related: view.entities
        .filter((item) => item.id !== view.entity.id)
        .map((item) => ({ name: item.name, type: item.type, chunks: item.chunkIds.length })),
      relations: view.relations.slice(0, 50).map((relation) => ({
        source: nameOf.get(relation.sourceId) ?? relation.sourceId,
        type: relation.type,
        target: nameOf.get(relation.targetId) ?? relation.targetId,
        ...(relation.description ? { description: relation.description } : {}),
        weight: relation.weight,
      })),
      passages: passages.hits.map(({ text, citation }) => ({ text, source: citation.source, title: citation.title, documentId: citation.documentId })),
    };
  },
});
