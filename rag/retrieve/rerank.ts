import { TrellisError } from '../../core/errors.js';
import type { Reranker } from '../../core/models/types.js';

/** Hits a search reranks unless told otherwise: enough to rescue a good passage fused into the second page. */
export const DEFAULT_RERANK_CANDIDATES = 30;

/** What a cross-encoder said about one hit: its 1-based rank among the reranked hits and its raw score. */
export interface RerankWhy {
  readonly rank: number;
  readonly score: number;
}

/** Options for {@link rerankHits}. */
export interface RerankHitsOptions<Hit> {
  readonly query: string;
  /** Fused hits, best first. */
  readonly hits: readonly Hit[];
  /** The text the reranker reads for a hit. */
  readonly textOf: (hit: Hit) => string;
  readonly reranker: Reranker;
  /** How many of the first hits are rescored; the rest follow in their fused order. */
  readonly candidates: number;
  readonly signal?: AbortSignal;
}

/**
 * Rescores the first `candidates` hits with a cross-encoder and puts them in its order, each paired with its
 * {@link RerankWhy}; hits past `candidates` keep their fused order behind them, with no `rerank`. Ties keep the
 * fused order. Throws `RETRIEVAL_REQUEST_INVALID` for a non-positive `candidates` and `MODEL_OUTPUT_INVALID`
 * when the reranker returns the wrong number of scores.
 */
export async function rerankHits<Hit>(
  options: RerankHitsOptions<Hit>,
): Promise<Array<{ readonly hit: Hit; readonly rerank?: RerankWhy }>> {
  const { query, hits, textOf, reranker, candidates, signal } = options;
  if (!Number.isInteger(candidates) || candidates < 1) {
    throw new TrellisError('RETRIEVAL_REQUEST_INVALID', `rerank candidates must be a positive integer, not ${candidates}`, {
      details: { candidates },
    });
  }
  const head = hits.slice(0, candidates);
  const { scores } = await reranker.doRerank({ query, documents: head.map(textOf), signal });
  if (scores.length !== head.length) {
    throw new TrellisError('MODEL_OUTPUT_INVALID', `reranker ${reranker.modelId} returned ${scores.length} scores for ${head.length} passages`, {
      details: { modelId: reranker.modelId, expected: head.length, received: scores.length },
    });
  }
  // Array.prototype.sort is stable, so equal scores keep the fused order.
  const reranked = head
    .map((hit, index) => ({ hit, score: scores[index]! }))
    .sort((left, right) => right.score - left.score)
    .map(({ hit, score }, index) => ({ hit, rerank: { rank: index + 1, score } }));
  return [...reranked, ...hits.slice(candidates).map((hit) => ({ hit }))];
}
