import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../../core/errors.js';
import type { Reranker, RerankOptions } from '../../../../core/models/types.js';
import { rerankHits } from '../../../../rag/retrieve/rerank.js';

/** Scores each document by its length and records what it was asked. */
function lengthReranker(): Reranker & { readonly calls: RerankOptions[] } {
  const calls: RerankOptions[] = [];
  return {
    provider: 'test',
    modelId: 'length',
    maxBatchSize: 100,
    calls,
    async doRerank(options) {
      calls.push(options);
      return { scores: options.documents.map((document) => document.length) };
    },
  };
}

describe('rerankHits', () => {
  const hits = ['bb', 'a', 'dddd', 'ccc', 'eeeee'];

  it('orders the first candidates by score and keeps the rest in fused order behind them', async () => {
    const reranker = lengthReranker();
    const result = await rerankHits({ query: 'q', hits, textOf: (hit) => hit, reranker, candidates: 4 });
    expect(result).toEqual([
      { hit: 'dddd', rerank: { rank: 1, score: 4 } },
      { hit: 'ccc', rerank: { rank: 2, score: 3 } },
      { hit: 'bb', rerank: { rank: 3, score: 2 } },
      { hit: 'a', rerank: { rank: 4, score: 1 } },
      { hit: 'eeeee' },
    ]);
    expect(reranker.calls.map((call) => call.documents)).toEqual([['bb', 'a', 'dddd', 'ccc']]);
  });

  it('keeps the fused order among equal scores', async () => {
    const result = await rerankHits({ query: 'q', hits: ['x1', 'x2', 'x3'], textOf: () => 'same', reranker: lengthReranker(), candidates: 30 });
    expect(result.map((entry) => entry.hit)).toEqual(['x1', 'x2', 'x3']);
  });

  it('rejects a non-positive candidate count', async () => {
    const error = await rerankHits({ query: 'q', hits, textOf: (hit) => hit, reranker: lengthReranker(), candidates: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(TrellisError.isInstance(error, 'RETRIEVAL_REQUEST_INVALID')).toBe(true);
  });

  it('rejects a reranker that returns the wrong number of scores', async () => {
    const broken: Reranker = { provider: 'test', modelId: 'broken', maxBatchSize: 1, doRerank: async () => ({ scores: [1] }) };
    const error = await rerankHits({ query: 'q', hits, textOf: (hit) => hit, reranker: broken, candidates: 3 }).catch(
      (caught: unknown) => caught,
    );
    expect(TrellisError.isInstance(error, 'MODEL_OUTPUT_INVALID')).toBe(true);
  });
});
