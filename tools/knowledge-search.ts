import { z } from 'zod';
import { TrellisError } from '../core/errors.js';
import { defineTool } from './define-tool.js';

/**
 * Searches a knowledge base of the caller's tenant and returns passages with the citation of each, so the answer
 * can quote its sources.
 */
export default defineTool({
  name: 'knowledge_search',
  description:
    'Search the ingested documents of a knowledge base; returns the best passages, each with its source ' +
    '(file, title, page, character span) to cite.',
  schema: z.object({
    query: z.string().min(1).max(2000).describe('Natural-language question or keywords'),
    kb: z.string().min(1).optional().describe('Knowledge base name; leave out to search the default one'),
    topK: z.number().int().min(1).max(20).optional().describe('How many passages to return (default set by the server)'),
    mode: z
      .enum(['hybrid', 'keyword', 'dense'])
      .default('hybrid')
      .describe('hybrid (default) combines keyword and semantic search; keyword for exact names, codes and ids'),
  }),
  idempotent: true,
  async execute({ query, kb, topK, mode }, { tenantId, knowledge, defaultKb, signal }) {
    const name = kb ?? defaultKb;
    if (name === undefined) {
      throw new TrellisError('TOOL_INPUT_INVALID', 'no knowledge base was named and this run has no default one', {
        hint: 'Call knowledge_search again with `kb` set to a knowledge base name.',
      });
    }
    const result = await knowledge.search({ tenantId, kb: name, query, mode, topK, signal });
    return {
      kb: name,
      mode: result.mode,
      ...(result.notice ? { notice: result.notice } : {}),
      passages: result.hits.map(({ text, score, citation }) => ({
        text,
        score,
        source: citation.source,
        title: citation.title,
        page: citation.page,
        documentId: citation.documentId,
        span: [citation.start, citation.end],
      })),
    };
  },
});
