import type { IndexHit } from '../stores/types.js';

/** Which graph mode found a chunk, and through what. */
export interface GraphWhy {
  /** graph-bridge: found as the second hop of graph-hybrid, through the one entity in `entities`. */
  readonly mode: 'graph-local' | 'graph-multihop' | 'graph-global' | 'graph-bridge';
  readonly rank: number;
  readonly score: number;
  /** Names of the entities that led to the chunk (the query's, then those reached from them), best first. */
  readonly entities: readonly string[];
  /** graph-global: the community the chunk stands for, with its summary. */
  readonly community?: { readonly id: string; readonly summary: string };
}

/** One chunk found through the graph. */
export interface GraphHit extends IndexHit {
  readonly why: { readonly graph: GraphWhy };
}

/** Ranks scored chunks (best first, ties by chunk id) into hits of one mode. */
export function toGraphHits(
  mode: GraphWhy['mode'],
  scored: readonly { readonly chunkId: string; readonly score: number; readonly entities: readonly string[]; readonly community?: GraphWhy['community'] }[],
  topK: number,
): GraphHit[] {
  return [...scored]
    .filter((item) => item.score > 0)
    .sort((left, right) => right.score - left.score || (left.chunkId < right.chunkId ? -1 : left.chunkId > right.chunkId ? 1 : 0))
    .slice(0, topK)
    .map((item, index) => ({
      chunkId: item.chunkId,
      score: item.score,
      why: { graph: { mode, rank: index + 1, score: item.score, entities: item.entities, ...(item.community ? { community: item.community } : {}) } },
    }));
}
