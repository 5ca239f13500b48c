import { TrellisError } from '../../core/errors.js';
import type { ChatModel } from '../../core/models/types.js';
import type { GraphStore } from '../stores/graph/types.js';
import type { StoreScope } from '../stores/types.js';
import { retrieveGraphGlobal } from './graph-global.js';
import type { GraphHit, GraphWhy } from './graph-hit.js';
import { fuseGraphHybrid, GRAPH_HYBRID_DEFAULTS } from './graph-hybrid.js';
import { findQueryEntities } from './graph-query-entities.js';
import { retrieveGraphLocal } from './graph-local.js';
import { retrieveGraphMultihop } from './graph-multihop.js';
import type { HybridHit } from './hybrid.js';

export const GRAPH_SEARCH_MODES = ['graph-local', 'graph-multihop', 'graph-global', 'graph-hybrid'] as const;
export type GraphSearchMode = (typeof GRAPH_SEARCH_MODES)[number];

export function isGraphSearchMode(mode: string): mode is GraphSearchMode {
  return (GRAPH_SEARCH_MODES as readonly string[]).includes(mode);
}

/** What the graph modes need beside the knowledge base: its graph, and a chat model for community summaries. */
export interface GraphSearchContext {
  readonly store: GraphStore;
  /** Writes graph-global's community summaries; without one they are extractive. */
  readonly model?: ChatModel;
}

/** A hit of a graph mode; graph-hybrid's also carry the hybrid ranks. */
export type GraphModeHit = Omit<HybridHit, 'why'> & { readonly why: HybridHit['why'] & { readonly graph?: GraphWhy } };

/** Options for {@link retrieveGraphMode}. */
export interface RetrieveGraphModeOptions {
  readonly mode: GraphSearchMode;
  readonly graph: GraphSearchContext | undefined;
  readonly scope: StoreScope;
  readonly query: string;
  readonly topK: number;
  /** The hybrid ranking, for graph-hybrid (fused with multi-hop and graph-local) and as multi-hop's passage seeds there. */
  readonly hybrid: (topK: number) => Promise<readonly HybridHit[]>;
  readonly chunkTexts: (chunkIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  readonly signal?: AbortSignal;
}

/** Candidates graph-hybrid takes from each side before fusing. */
const FUSION_CANDIDATES = 100;
/**
 * Query-entity weight (words of the name over log2(1 + its chunks), see findQueryEntities) from which a name counts
 * as specific: a two-word name in one or two chunks. At 1 (any one-chunk name) HotpotQA gained a point of recall@5
 * but CISI, whose questions name many common names, lost 1.3 points of nDCG@10 against hybrid.
 */
const SPECIFIC_ENTITY_WEIGHT = 1.5;
/** Hybrid hits that seed graph-hybrid's walk. */
const PASSAGE_SEEDS = 5;

/**
 * Runs one graph search mode. Throws KNOWLEDGE_GRAPH_DISABLED when the runtime has no graph.
 */
export async function retrieveGraphMode(options: RetrieveGraphModeOptions): Promise<readonly GraphModeHit[]> {
  const { graph, scope, query, topK, signal } = options;
  if (!graph) {
    throw new TrellisError('KNOWLEDGE_GRAPH_DISABLED', `search mode ${options.mode} needs the knowledge graph, which is off`);
  }
  const { store } = graph;
  switch (options.mode) {
    case 'graph-local':
      return retrieveGraphLocal({ store, scope, query, topK });
    case 'graph-multihop':
      return retrieveGraphMultihop({ store, scope, query, topK });
    case 'graph-global':
      return retrieveGraphGlobal({ store, scope, query, topK, chunkTexts: options.chunkTexts, model: graph.model, signal });
    case 'graph-hybrid': {
      const candidates = Math.max(topK, FUSION_CANDIDATES);
      const [hybrid, local] = await Promise.all([options.hybrid(candidates), retrieveGraphLocal({ store, scope, query, topK: candidates })]);
      const walked = await retrieveGraphMultihop({ store, scope, query, topK: candidates, passageSeeds: hybrid.slice(0, PASSAGE_SEEDS) });
      // The walk's why is shown where it found the chunk, else graph-local's.
      const graphWhy = new Map([...local, ...walked].map((hit: GraphHit) => [hit.chunkId, hit.why.graph]));
      const hybridWhy = new Map(hybrid.map((hit) => [hit.chunkId, hit.why]));
      const weights = (await namesSpecificEntity(store, scope, query)) ? GRAPH_HYBRID_DEFAULTS.named : GRAPH_HYBRID_DEFAULTS.unnamed;
      return fuseGraphHybrid({ multihop: walked, local, hybrid, weights }).slice(0, topK).map((hit) => {
        const why = graphWhy.get(hit.chunkId);
        return { chunkId: hit.chunkId, score: hit.score, why: { ...hybridWhy.get(hit.chunkId), ...(why ? { graph: why } : {}) } };
      });
    }
  }
}

/**
 * Whether the query names a specific entity of the graph: a proper name (not a concept) in few chunks. Only then
 * does the graph know more than the text indexes; otherwise its lists only add noise to hybrid's ranking.
 */
async function namesSpecificEntity(store: GraphStore, scope: StoreScope, query: string): Promise<boolean> {
  return (await findQueryEntities(store, scope, query)).some(({ entity, weight }) => entity.type !== 'concept' && weight >= SPECIFIC_ENTITY_WEIGHT);
}
