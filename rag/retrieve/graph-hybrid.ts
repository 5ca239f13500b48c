import type { IndexHit } from '../stores/types.js';
import { fuseRrf } from './fuse-rrf.js';

/**
 * graph-hybrid's fusion weights, chosen on the HotpotQA sample and checked on Cranfield and CISI (bench/retrieval.ts,
 * offline extractor, GloVe). When the query names a specific entity (`named`), the three lists at equal weight gave
 * recall@5 0.84 on HotpotQA against 0.80 for hybrid and 0.805 for keyword (without graph-local about 0.81: it finds
 * the pages of the entities a comparison question names). Cranfield's queries name concepts, not entities, and
 * there equal weights cost 4 points of nDCG@10, so the graph lists then only break hybrid's ties (`unnamed`):
 * nDCG@10 0.377 against hybrid's 0.372 on Cranfield, 0.378 against 0.355 on CISI. With the bridge passage placed
 * second after fusion (graph-search.ts, placeBridge), recall@5 is 0.875 on HotpotQA (keyword 0.805) and nDCG@10
 * 0.385 on CISI; Cranfield does not change.
 */
export const GRAPH_HYBRID_DEFAULTS = {
  named: { multihop: 1, local: 1, hybrid: 1 },
  unnamed: { multihop: 0.2, local: 0.2, hybrid: 1 },
  k: 60,
} as const;

/**
 * graph-hybrid: reciprocal rank fusion of the multi-hop walk, graph-local and the hybrid dense+keyword ranking, so
 * that passages any of them finds rank high and passages several find rank highest.
 */
export function fuseGraphHybrid(options: {
  readonly multihop: readonly IndexHit[];
  readonly local: readonly IndexHit[];
  readonly hybrid: readonly IndexHit[];
  readonly weights?: { readonly multihop: number; readonly local: number; readonly hybrid: number };
  readonly k?: number;
}): { readonly chunkId: string; readonly score: number }[] {
  const weights = options.weights ?? GRAPH_HYBRID_DEFAULTS.named;
  return fuseRrf({
    lists: [
      { name: 'multihop', hits: options.multihop, weight: weights.multihop },
      { name: 'local', hits: options.local, weight: weights.local },
      { name: 'hybrid', hits: options.hybrid, weight: weights.hybrid },
    ],
    k: options.k ?? GRAPH_HYBRID_DEFAULTS.k,
  });
}
