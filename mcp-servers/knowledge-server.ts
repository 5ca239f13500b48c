import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { TrellisError } from '../core/errors.js';
import { TRELLIS_VERSION } from '../core/version.js';
import { DOCUMENT_URI_TEMPLATE, documentUri, parseDocumentVariables } from './knowledge/document-uri.js';
import { createKnowledgeTools, documentOf } from './knowledge/knowledge-tools.js';
import { toMcpError } from './mcp-error.js';
import { serveToolDefinitions } from './serve-tool-definitions.js';
import type { TrellisMcpServerOptions } from './server-options.js';

/** Documents `resources/list` names at most (all knowledge bases together); any document can still be read. */
const MAX_LISTED_DOCUMENTS = 500;

/** Passages the `answer_with_citations` prompt puts in front of the question. */
const PROMPT_PASSAGES = 6;

/**
 * The knowledge server for one tenant: tools `search`, `list_knowledge_bases` and `get_document`; every document as
 * a resource `trellis://kb/<kb>/doc/<id>`; and the prompt `answer_with_citations`, which searches and lays out the
 * numbered passages to cite.
 *
 * @example
 * const server = createKnowledgeMcpServer({ knowledge: runtime.knowledge, logger, limits, tenantId: 'acme' });
 * await server.connect(new StdioServerTransport());
 */
export function createKnowledgeMcpServer(options: TrellisMcpServerOptions): McpServer {
  const { knowledge, tenantId, logger } = options;
  const server = new McpServer(
    { name: 'trellis-knowledge', version: TRELLIS_VERSION },
    { instructions: 'Search the knowledge bases of Trellis; answer from the passages and cite them by number.' },
  );
  serveToolDefinitions(server, {
    tools: createKnowledgeTools(knowledge),
    context: (signal) => ({ tenantId, signal, logger, knowledge }),
    limits: options.limits,
    progressIntervalMs: options.progressIntervalMs,
  });

  const knowledgeBaseNames = () => knowledge.knowledgeBases.list(tenantId).map((kb) => kb.name);

  server.registerResource(
    'document',
    new ResourceTemplate(DOCUMENT_URI_TEMPLATE, {
      list: () => ({ resources: listDocuments(options) }),
      complete: { kb: (value) => knowledgeBaseNames().filter((name) => name.startsWith(value)) },
    }),
    { title: 'Knowledge-base document', description: 'The stored text of a document (what citation spans point into)', mimeType: 'text/plain' },
    (uri, variables) => {
      const parsed = parseDocumentVariables(variables);
      try {
        if (!parsed) throw new TrellisError('DOCUMENT_NOT_FOUND', `${uri.href} is not a document URI (its parts must be percent-encoded)`);
        const document = documentOf(knowledge, tenantId, parsed.kb, parsed.documentId);
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: document.text }] };
      } catch (error) {
        throw toMcpError(error, { resource: true });
      }
    },
  );

  server.registerPrompt(
    'answer_with_citations',
    {
      title: 'Answer with citations',
      description: 'Searches a knowledge base for the question and asks for an answer that cites the numbered passages found.',
      argsSchema: {
        question: z.string().min(1).max(4000).describe('The question to answer'),
        kb: completable(z.string().min(1).describe('The knowledge base to answer from'), (value) =>
          knowledgeBaseNames().filter((name) => name.startsWith(value ?? '')),
        ),
      },
    },
    async ({ question, kb }, extra): Promise<GetPromptResult> => {
      try {
        const result = await knowledge.search({ tenantId, kb, query: question, topK: PROMPT_PASSAGES, signal: extra.signal });
        return { description: `Answer from ${kb} with citations`, messages: [{ role: 'user', content: { type: 'text', text: citationPrompt(question, kb, result.hits) } }] };
      } catch (error) {
        throw toMcpError(error);
      }
    },
  );
  return server;
}

function listDocuments(options: TrellisMcpServerOptions): Resource[] {
  const { knowledge, tenantId } = options;
  const resources: Resource[] = [];
  for (const kb of knowledge.knowledgeBases.list(tenantId)) {
    const left = MAX_LISTED_DOCUMENTS - resources.length;
    if (left <= 0) break;
    for (const document of knowledge.documents.list(kb.id, { limit: left })) {
      resources.push({
        uri: documentUri(kb.name, document.id),
        name: document.title ?? document.id,
        title: `${kb.name}: ${document.title ?? document.id}`,
        description: `${document.source} in knowledge base ${kb.name}`,
        mimeType: 'text/plain',
      });
    }
  }
  return resources;
}

type Hit = Awaited<ReturnType<TrellisMcpServerOptions['knowledge']['search']>>['hits'][number];

function citationPrompt(question: string, kb: string, hits: readonly Hit[]): string {
  if (hits.length === 0) {
    return `No passage of the knowledge base ${kb} matches this question, so say that it does not answer it.\n\nQuestion: ${question}`;
  }
  const passages = hits.map((hit, index) => {
    const { source, title, page } = hit.citation;
    const where = [title, source, page ? `p. ${page}` : undefined].filter(Boolean).join(', ');
    return `[${index + 1}] ${where}\n${hit.text.trim()}`;
  });
  return [
    'Answer the question using only the numbered passages below. Cite every claim with the number of its passage in',
    'brackets, e.g. [1]; if the passages do not answer the question, say so instead of guessing.',
    '',
    `Question: ${question}`,
    '',
    ...passages.flatMap((passage) => [passage, '']),
  ].join('\n').trimEnd();
}
