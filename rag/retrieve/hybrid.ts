import { TrellisError } from '../../core/errors.js';
import { embedMany } from '../../core/models/embed-many.js';
import type { EmbeddingModel } from '../../core/models/types.js';
import type { IndexHit, KeywordStore, MetadataFilter, StoreScope, VectorStore } from '../stores/types.js';
import { fuseRrf, type FusedHit, type RankedList } from './fuse-rrf.js';
import { fuseScores, type ScoreNormalization } from './fuse-scores.js';

/** How the keyword and dense lists are joined. */
export type HybridFusion =
  | { readonly method: 'rrf'; readonly k?: number }
  | { readonly method: 'scores'; readonly normalization: ScoreNormalization };

/** Options for {@link retrieveHybrid}. */
export interface RetrieveHybridOptions {
  readonly query: string;
  readonly scope: StoreScope;
  readonly keywordStore: KeywordStore;
  /** With `embedder`, adds the dense list; without either, retrieval is keyword only (and says so). */
  readonly vectorStore?: VectorStore;
  readonly embedder?: EmbeddingModel;
  /** Hits returned. */
  readonly topK: number;
  /** Hits asked of each index before fusion; defaults to max(100, topK). */
  readonly candidates?: number;
  /**
   * Weight of each list in the fusion. Defaults to keyword 1, dense 0.2: BM25 is the stronger signal on most
   * text unless the embedder is a good one, so dense re-orders near-ties and adds what BM25 missed without
   * overruling it. Raise `dense` (towards 1) for a strong embedder.
   */
  readonly weights?: { readonly keyword: number; readonly dense: number };
  /** Defaults to a convex combination of z-score-normalised scores (see {@link HYBRID_DEFAULTS}). */
  readonly fusion?: HybridFusion;
  /**
   * `union` (default) ranks every chunk either index found; `keyword` lets dense only re-order the keyword
   * candidates, which bounds the harm a poor embedder can do but cannot recover what BM25 missed.
   */
  readonly pool?: 'union' | 'keyword';
  readonly filter?: MetadataFilter;
  readonly signal?: AbortSignal;
}

/** One retrieved chunk with why it ranked where it did. */
export interface HybridHit {
  readonly chunkId: string;
  /** The fused score (the keyword score itself in keyword-only mode); only comparable within one result. */
  readonly score: number;
  /** 1-based rank and raw score in each index that returned the chunk. */
  readonly why: { readonly keyword?: IndexHit & { readonly rank: number }; readonly dense?: IndexHit & { readonly rank: number } };
}

/** What {@link retrieveHybrid} returns. */
export interface HybridResult {
  /** `keyword` when no dense index was given: the result is BM25 alone. */
  readonly mode: 'hybrid' | 'keyword';
  readonly hits: readonly HybridHit[];
}

/**
 * Defaults, chosen on Cranfield and validated on CISI with the weak GloVe embedder (bench/retrieval.ts): z-score
 * fusion with dense weight 0.2 beat BM25 alone on both (nDCG@10 0.3732 vs 0.3716; 0.3503 vs 0.3349), while
 * equal-weight RRF lost 8 points on Cranfield. Score fusion keeps how far ahead a strong BM25 hit is, which rank
 * fusion throws away (Bruch, Gai and Ingber, "An Analysis of Fusion Functions for Hybrid Retrieval", TOIS 2023).
 */
export const HYBRID_DEFAULTS: {
  readonly weights: { readonly keyword: number; readonly dense: number };
  readonly fusion: HybridFusion;
  readonly pool: 'union' | 'keyword';
} = {
  weights: { keyword: 1, dense: 0.2 },
  fusion: { method: 'scores', normalization: 'zscore' },
  pool: 'union',
};

/**
 * Keyword (BM25) and, when an embedder and vector store are given, dense retrieval, fused into one ranking.
 * Throws `RETRIEVAL_REQUEST_INVALID` for a non-positive `topK` or negative weights.
 *
 * @example
 * const { mode, hits } = await retrieveHybrid({ query, scope, keywordStore, vectorStore, embedder, topK: 8 });
 * hits[0]?.why; // { keyword: { rank: 1, score: 12.3, … }, dense: { rank: 4, score: 0.71, … } }
 */
export async function retrieveHybrid(options: RetrieveHybridOptions): Promise<HybridResult> {
  const { query, scope, keywordStore, vectorStore, embedder, topK, filter, signal } = options;
  const weights = options.weights ?? HYBRID_DEFAULTS.weights;
  validate(topK, weights);
  const candidates = Math.max(options.candidates ?? 100, topK);

  if (!vectorStore || !embedder) {
    const keyword = await keywordStore.query(scope, { text: query, topK: candidates, filter });
    return {
      mode: 'keyword',
      hits: keyword.slice(0, topK).map((hit, index) => ({ chunkId: hit.chunkId, score: hit.score, why: { keyword: { ...hit, rank: index + 1 } } })),
    };
  }
  // The embedded keyword index answers synchronously and holds the thread while it does, so the dense side goes
  // first: once its request to the vector store has left (a turn of the event loop), the vector store (Chroma, its
  // own process) searches while BM25 runs here. At 100k chunks that takes the vector query's ~4 ms off hybrid.
  const { embeddings } = await embedMany(embedder, [query], { inputType: 'query', signal });
  const denseSearch = vectorStore.query(scope, { embedding: embeddings[0]!, topK: candidates, filter });
  // Settled or not, it is awaited below; this only keeps an early rejection from counting as unhandled meanwhile.
  denseSearch.catch(() => {});
  await new Promise((resolve) => setImmediate(resolve));
  const [keyword, dense] = await Promise.all([keywordStore.query(scope, { text: query, topK: candidates, filter }), denseSearch]);

  return {
    mode: 'hybrid',
    hits: fuseKeywordDense({ keyword, dense, weights, fusion: options.fusion, pool: options.pool }).slice(0, topK),
  };
}

/** Options for {@link fuseKeywordDense}. */
export interface FuseKeywordDenseOptions {
  readonly keyword: readonly IndexHit[];
  readonly dense: readonly IndexHit[];
  readonly weights?: { readonly keyword: number; readonly dense: number };
  readonly fusion?: HybridFusion;
  readonly pool?: 'union' | 'keyword';
}

/**
 * The fusion step of {@link retrieveHybrid} on its own, for callers that already hold both lists (benchmarks
 * sweeping fusion settings, rerankers). Returns every fused chunk, best first, with its "why".
 */
export function fuseKeywordDense(options: FuseKeywordDenseOptions): HybridHit[] {
  const { keyword, dense } = options;
  const weights = options.weights ?? HYBRID_DEFAULTS.weights;
  const pool = options.pool ?? HYBRID_DEFAULTS.pool;
  const keywordIds = new Set(keyword.map((hit) => hit.chunkId));
  const lists: RankedList[] = [
    { name: 'keyword', hits: keyword, weight: weights.keyword },
    { name: 'dense', hits: pool === 'keyword' ? dense.filter((hit) => keywordIds.has(hit.chunkId)) : dense, weight: weights.dense },
  ];
  const fusion = options.fusion ?? HYBRID_DEFAULTS.fusion;
  const fused: FusedHit[] = fusion.method === 'rrf'
    ? fuseRrf({ lists, k: fusion.k })
    : fuseScores({ lists, normalization: fusion.normalization });
  const byList = { keyword: indexById(keyword), dense: indexById(dense) };
  return fused.map((hit) => ({
    chunkId: hit.chunkId,
    score: hit.score,
    why: {
      ...(byList.keyword.has(hit.chunkId) ? { keyword: byList.keyword.get(hit.chunkId)! } : {}),
      ...(byList.dense.has(hit.chunkId) ? { dense: byList.dense.get(hit.chunkId)! } : {}),
    },
  }));
}

function indexById(hits: readonly IndexHit[]): Map<string, IndexHit & { rank: number }> {
  return new Map(hits.map((hit, index) => [hit.chunkId, { ...hit, rank: index + 1 }]));
}

function validate(topK: number, weights: { readonly keyword: number; readonly dense: number }): void {
  if (!Number.isInteger(topK) || topK < 1) {
    throw new TrellisError('RETRIEVAL_REQUEST_INVALID', `topK must be a positive integer, got ${topK}`, { details: { topK } });
  }
  if (!(weights.keyword >= 0 && weights.dense >= 0)) {
    throw new TrellisError('RETRIEVAL_REQUEST_INVALID', `weights must be non-negative, got keyword ${weights.keyword}, dense ${weights.dense}`, {
      details: { keyword: weights.keyword, dense: weights.dense },
    });
  }
}
