import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../../core/errors.js';
import type { EmbeddingModel } from '../../../../core/models/types.js';
import { fuseKeywordDense, retrieveHybrid } from '../../../../rag/retrieve/hybrid.js';
import type { KeywordStore, StoreScope } from '../../../../rag/stores/types.js';
import { createMemoryVectorStore } from '../../../../rag/stores/vector/memory-vector-store.js';

const scope: StoreScope = { tenantId: 't', kbId: 'kb' };

// Fixed hits in place of BM25: this suite tests fusion and modes, the FTS5 store has its own integration suite.
const keywordStore: KeywordStore = {
  name: 'fixed',
  upsert: async () => {},
  delete: async () => {},
  query: async () => [{ chunkId: 'a', score: 12 }, { chunkId: 'b', score: 6 }, { chunkId: 'c', score: 5.5 }],
  count: async () => 3,
  drop: async () => {},
};

// A two-dimensional embedder: "dense" queries point at chunk c's vector.
const embedder: EmbeddingModel = {
  provider: 'test',
  modelId: 'axis',
  dimensions: 2,
  maxBatchSize: 8,
  doEmbed: async ({ texts }) => ({ embeddings: texts.map(() => [0, 1]), usage: { tokens: texts.length } }),
};

describe('retrieveHybrid', () => {
  it('is keyword only, and says so, without an embedder', async () => {
    const result = await retrieveHybrid({ query: 'q', scope, keywordStore, topK: 2 });
    expect(result.mode).toBe('keyword');
    expect(result.hits).toEqual([
      { chunkId: 'a', score: 12, why: { keyword: { chunkId: 'a', score: 12, rank: 1 } } },
      { chunkId: 'b', score: 6, why: { keyword: { chunkId: 'b', score: 6, rank: 2 } } },
    ]);
  });

  it('fuses dense evidence without overruling a clear keyword winner', async () => {
    const vectorStore = createMemoryVectorStore();
    await vectorStore.upsert(scope, [
      { chunkId: 'a', embedding: [1, 0], text: 'a', metadata: {} },
      { chunkId: 'b', embedding: [1, 0.2], text: 'b', metadata: {} },
      { chunkId: 'c', embedding: [0, 1], text: 'c', metadata: {} },
    ]);
    const result = await retrieveHybrid({ query: 'q', scope, keywordStore, vectorStore, embedder, topK: 3 });
    expect(result.mode).toBe('hybrid');
    expect(result.hits[0]!.chunkId).toBe('a');
    // c is the dense favourite and nearly tied with b on BM25, so dense lifts it above b.
    expect(result.hits.map((hit) => hit.chunkId)).toEqual(['a', 'c', 'b']);
    expect(result.hits[1]!.why).toEqual({ keyword: { chunkId: 'c', score: 5.5, rank: 3 }, dense: { chunkId: 'c', score: 1, rank: 1 } });
  });

  it('rejects a non-positive topK and negative weights with RETRIEVAL_REQUEST_INVALID', async () => {
    await expect(retrieveHybrid({ query: 'q', scope, keywordStore, topK: 0 })).rejects.toSatisfy((error) =>
      TrellisError.isInstance(error, 'RETRIEVAL_REQUEST_INVALID'));
    await expect(retrieveHybrid({ query: 'q', scope, keywordStore, topK: 3, weights: { keyword: 1, dense: -1 } })).rejects.toSatisfy(
      (error) => TrellisError.isInstance(error, 'RETRIEVAL_REQUEST_INVALID'));
  });
});

describe('fuseKeywordDense', () => {
  it('with pool "keyword" lets dense re-order but never add chunks', () => {
    const fused = fuseKeywordDense({
      keyword: [{ chunkId: 'a', score: 3 }, { chunkId: 'b', score: 2 }],
      dense: [{ chunkId: 'z', score: 0.9 }, { chunkId: 'b', score: 0.8 }],
      fusion: { method: 'rrf', k: 60 },
      weights: { keyword: 1, dense: 1 },
      pool: 'keyword',
    });
    expect(fused.map((hit) => hit.chunkId)).toEqual(['b', 'a']);
    expect(fused[0]!.why.dense).toEqual({ chunkId: 'b', score: 0.8, rank: 2 });
  });
});
