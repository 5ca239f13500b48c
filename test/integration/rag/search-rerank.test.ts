import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxReranker } from '../../../core/models/onnx-reranker.js';
import type { Reranker } from '../../../core/models/types.js';
import { searchKnowledgeBase, type SearchKnowledgeBaseOptions } from '../../../rag/search.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';
import { writeTinyCrossEncoder } from '../../helpers/tiny-cross-encoder.js';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

// BM25 puts the short passage holding both query words first; the toy cross-encoder counts every passage token
// found in the query, so it prefers the passage that repeats "password". The orders must differ for the test to
// show a re-ordering.
const FILES: Record<string, string> = {
  'exact.txt': 'Reset password.',
  'rambling.txt':
    'A password is a secret: choose a long password, never share the password, store the password in a manager, ' +
    'change the password when a site leaks, and write the password nowhere.',
  'vault.txt': 'A password manager keeps every secret in one vault.',
  'filler-1.txt': 'Cooking rice takes water, salt and patience.',
  'filler-2.txt': 'The garden needs rain in spring and shade in summer.',
  'filler-3.txt': 'Trains leave the station every hour on weekdays.',
};

describe('searchKnowledgeBase with a cross-encoder reranker', () => {
  let runtime: TestRuntime;
  let reranker: Reranker;
  let base: SearchKnowledgeBaseOptions;
  const temp = makeTempDir('trellis-rerank-search-');

  beforeAll(async () => {
    const corpus = path.join(temp.dir, 'corpus');
    mkdirSync(corpus);
    for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(corpus, name), text);
    runtime = await createTestRuntime();
    await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'help', root: corpus });
    reranker = await createOnnxReranker({ modelDir: await writeTinyCrossEncoder(path.join(temp.dir, 'model')), modelId: 'tiny' });
    base = {
      kb: runtime.knowledge.knowledgeBases.getByName('acme', 'help'),
      query: 'reset password',
      mode: 'keyword',
      topK: 3,
      documents: runtime.knowledge.documents,
      keywordStore: runtime.stores.keyword,
    };
  }, 60_000);
  afterAll(async () => {
    await reranker?.dispose?.();
    await runtime?.dispose();
    temp.remove();
  });

  const sourceOf = (source: string) => path.basename(source);

  it('keeps the fused order and says rerank: none without a reranker', async () => {
    const result = await searchKnowledgeBase(base);
    expect(result.rerank).toBe('none');
    expect(sourceOf(result.hits[0]!.citation.source)).toBe('exact.txt');
    for (const hit of result.hits) expect(hit.why.rerank).toBeUndefined();
  });

  it('re-orders the candidates by the reranker and reports why.rerank', async () => {
    const fused = await searchKnowledgeBase(base);
    const result = await searchKnowledgeBase({ ...base, reranker, rerank: { candidates: 10 } });
    expect(result.rerank).toBe('tiny');
    expect(result.hits.map((hit) => sourceOf(hit.citation.source))).toEqual(['rambling.txt', 'exact.txt', 'vault.txt']);
    expect(result.hits.map((hit) => hit.why.rerank?.rank)).toEqual([1, 2, 3]);
    const scores = result.hits.map((hit) => hit.why.rerank!.score);
    expect([...scores].sort((left, right) => right - left)).toEqual(scores);
    // The retrieval evidence stays beside the reranker's.
    expect(result.hits[0]!.why.keyword?.rank).toBeGreaterThan(1);
    expect(result.hits.map((hit) => hit.chunkId)).not.toEqual(fused.hits.map((hit) => hit.chunkId));
  });

  it('reranks only the first candidates and returns topK of them', async () => {
    const result = await searchKnowledgeBase({ ...base, topK: 1, reranker, rerank: { candidates: 1 } });
    expect(result.hits).toHaveLength(1);
    expect(sourceOf(result.hits[0]!.citation.source)).toBe('exact.txt');
    expect(result.hits[0]!.why.rerank?.rank).toBe(1);
  });
});
