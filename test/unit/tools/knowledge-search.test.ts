import { describe, expect, it } from 'vitest';
import type { KnowledgeService } from '../../../rag/knowledge-service.js';
import { executeTool } from '../../../tools/execute-tool.js';
import knowledgeSearch from '../../../tools/knowledge-search.js';
import type { KnowledgeSearch, KnowledgeSearchRequest } from '../../../tools/tool-context.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

// Compile-time proof that rag's service fits the narrow port tools depend on.
export type ServiceFitsPort = KnowledgeService extends KnowledgeSearch ? true : never;
const fits: ServiceFitsPort = true;

function recordingKnowledge() {
  const requests: KnowledgeSearchRequest[] = [];
  const knowledge: KnowledgeSearch = {
    async search(request) {
      requests.push(request);
      return {
        mode: 'keyword',
        notice: 'keywords only',
        hits: [
          {
            chunkId: 'c1',
            text: 'Reset the router by holding the button.',
            score: 0.9,
            citation: { kb: request.kb, documentId: 'd1', source: 'manual.pdf', title: 'Manual', start: 10, end: 50, page: 3 },
          },
        ],
      };
    },
  };
  return { knowledge, requests };
}

describe('knowledge_search', () => {
  it('searches the named knowledge base of the caller’s tenant and returns passages with citations', async () => {
    expect(fits).toBe(true);
    const { knowledge, requests } = recordingKnowledge();
    const result = await executeTool(knowledgeSearch, { query: 'reset router', kb: 'manuals', topK: 3 }, toolContext({ tenantId: 'acme', knowledge }), testLimits);
    expect(requests).toEqual([{ tenantId: 'acme', kb: 'manuals', query: 'reset router', mode: 'hybrid', topK: 3, signal: expect.any(AbortSignal) }]);
    expect(result).toEqual({
      ok: true,
      output: {
        kb: 'manuals',
        mode: 'keyword',
        notice: 'keywords only',
        passages: [
          { text: 'Reset the router by holding the button.', score: 0.9, source: 'manual.pdf', title: 'Manual', page: 3, documentId: 'd1', span: [10, 50] },
        ],
      },
    });
  });

  it('uses the default knowledge base of the context when none is named', async () => {
    const { knowledge, requests } = recordingKnowledge();
    await executeTool(knowledgeSearch, { query: 'q' }, toolContext({ knowledge, defaultKb: 'docs' }), testLimits);
    expect(requests[0]?.kb).toBe('docs');
  });

  it('asks the model to name a knowledge base when there is no default', async () => {
    const { knowledge } = recordingKnowledge();
    expect(await executeTool(knowledgeSearch, { query: 'q' }, toolContext({ knowledge }), testLimits)).toMatchObject({
      ok: false,
      error: { code: 'TOOL_INPUT_INVALID', hint: expect.stringContaining('kb') },
    });
  });
});
