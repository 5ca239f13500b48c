import { z } from 'zod';
import { GRAPH_SEARCH_MODES } from '../../rag/retrieve/graph-search.js';
import { TrellisError } from '../../core/errors.js';
import type { KnowledgeService } from '../../rag/knowledge-service.js';
import { defineTool, type AnyToolDefinition } from '../../tools/define-tool.js';
import { documentUri } from './document-uri.js';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The most passages one search returns over MCP. */
const MAX_K = 50;

/**
 * The knowledge server's tools, scoped by each call's tenant: `search` (passages with citations),
 * `list_knowledge_bases` and `get_document`. Defined with `defineTool`, so they run through `executeTool` like any
 * agent's tool call.
 */
export function createKnowledgeTools(knowledge: KnowledgeService): readonly AnyToolDefinition[] {
  const search = defineTool({
    name: 'search',
    description:
      'Search a knowledge base; returns the best passages, each with its citation (document, source, title, page, ' +
      'character span) and the resource URI of its document. Cite passages by their number.',
    schema: z.strictObject({
      kb: z.string().min(1).max(64).describe('Knowledge base name (list_knowledge_bases lists them)'),
      query: z.string().trim().min(1).max(4000).describe('What to look for, in natural language or keywords'),
      mode: z
        .enum(['hybrid', 'keyword', 'dense', ...GRAPH_SEARCH_MODES])
        .default('hybrid')
        .describe(
          'hybrid (default) combines keyword and semantic search; keyword for exact names, codes and ids; graph-* follow ' +
            'the knowledge graph (for questions that link several facts) when the server has it on',
        ),
      k: z.number().int().min(1).max(MAX_K).optional().describe('How many passages to return (default set by the server)'),
      filters: z
        .record(z.string(), z.union([Scalar, z.array(Scalar).min(1)]))
        .optional()
        .describe('Document metadata that must match (`source`, `documentId`, or any metadata field); an array matches any of its values'),
    }),
    idempotent: true,
    async execute({ kb, query, mode, k, filters }, { tenantId, signal }) {
      const result = await knowledge.search({ tenantId, kb, query, mode, topK: k, filter: filters, signal });
      return {
        kb,
        mode: result.mode,
        ...(result.notice ? { notice: result.notice } : {}),
        results: result.hits.map((hit, index) => ({
          n: index + 1,
          text: hit.text,
          score: hit.score,
          citation: {
            kb: hit.citation.kb,
            documentId: hit.citation.documentId,
            source: hit.citation.source,
            title: hit.citation.title,
            page: hit.citation.page,
            start: hit.citation.start,
            end: hit.citation.end,
            uri: documentUri(hit.citation.kb, hit.citation.documentId),
          },
        })),
      };
    },
  });

  const listKnowledgeBases = defineTool({
    name: 'list_knowledge_bases',
    description: 'List the knowledge bases you can search, with their descriptions and sizes.',
    schema: z.strictObject({}),
    idempotent: true,
    execute: (_input, { tenantId }) => ({
      knowledgeBases: knowledge.knowledgeBases.list(tenantId).map((kb) => ({
        name: kb.name,
        description: kb.description,
        documents: knowledge.documents.countDocuments(kb.id),
        chunks: knowledge.documents.countChunks(kb.id),
      })),
    }),
  });

  const getDocument = defineTool({
    name: 'get_document',
    description: 'Get one document of a knowledge base with its full text (the text citation spans point into).',
    schema: z.strictObject({
      kb: z.string().min(1).max(64).describe('Knowledge base name'),
      documentId: z.string().min(1).max(1024).describe('The document id, as in a search citation'),
    }),
    idempotent: true,
    execute: ({ kb, documentId }, { tenantId }) => documentOf(knowledge, tenantId, kb, documentId),
  });

  return [search, listKnowledgeBases, getDocument];
}

/** A document with its text, as `get_document` and the document resources return it. */
export function documentOf(knowledge: KnowledgeService, tenantId: string, kbName: string, documentId: string) {
  const kb = knowledge.knowledgeBases.getByName(tenantId, kbName);
  const document = knowledge.documents.get(kb.id, documentId);
  if (!document) throw new TrellisError('DOCUMENT_NOT_FOUND', `document ${documentId} not found in knowledge base ${kb.name}`);
  return {
    uri: documentUri(kb.name, document.id),
    kb: kb.name,
    documentId: document.id,
    source: document.source,
    title: document.title,
    mimeType: document.mimeType,
    metadata: document.metadata,
    characters: document.characters,
    text: document.text,
  };
}
