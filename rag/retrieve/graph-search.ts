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
import { findBridgePassages } from './graph-bridge.js';
import { walkGraphOf } from './graph-walk.js';

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
/** Where graph-hybrid puts the best second-hop passage (see placeBridge). */
const BRIDGE_RANK = 2;

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
      // The query's entities are found once here, for the graph lists, the weights and the bridge alike.
      const queryEntities = await findQueryEntities(store, scope, query);
      const [hybrid, local] = await Promise.all([options.hybrid(candidates), retrieveGraphLocal({ store, scope, query, topK: candidates, queryEntities })]);
      const walked = await retrieveGraphMultihop({ store, scope, query, topK: candidates, passageSeeds: hybrid.slice(0, PASSAGE_SEEDS), queryEntities });
      // The walk's why is shown where it found the chunk, else graph-local's.
      const graphWhy = new Map([...local, ...walked].map((hit: GraphHit) => [hit.chunkId, hit.why.graph]));
      const hybridWhy = new Map(hybrid.map((hit) => [hit.chunkId, hit.why]));
      const named = queryEntities.some(({ entity, weight }) => entity.type !== 'concept' && weight >= SPECIFIC_ENTITY_WEIGHT);
      const fused = fuseGraphHybrid({ multihop: walked, local, hybrid, weights: named ? GRAPH_HYBRID_DEFAULTS.named : GRAPH_HYBRID_DEFAULTS.unnamed });
      const hits = fused.map((hit) => {
        const why = graphWhy.get(hit.chunkId);
        return { chunkId: hit.chunkId, score: hit.score, why: { ...hybridWhy.get(hit.chunkId), ...(why ? { graph: why } : {}) } };
      });
      // Only a question that names something has a bridge to cross: from a concept, every neighbour is a guess.
      if (!named) return hits.slice(0, topK);
      const [bridge] = findBridgePassages({
        walk: await walkGraphOf(store, scope),
        firstHop: hybrid,
        relevance: keywordRelevance(hybrid),
        queryEntityIds: new Set(queryEntities.map(({ entity }) => entity.id)),
        topK: 1,
      });
      return placeBridge(hits, bridge).slice(0, topK);
    }
  }
}

/**
 * The best second-hop passage goes to {@link BRIDGE_RANK} unless it ranks higher already: right after the passage
 * the question finds itself, which is where a reader of a two-hop answer needs it. Fused in by RRF instead, one
 * more list among four, it rarely reached the top five (recall@5 0.84 on HotpotQA either way).
 */
function placeBridge(hits: readonly GraphModeHit[], bridge: GraphHit | undefined): GraphModeHit[] {
  if (!bridge) return [...hits];
  const at = hits.findIndex((hit) => hit.chunkId === bridge.chunkId);
  if (at >= 0 && at < BRIDGE_RANK - 1) return [...hits];
  const rest = hits.filter((hit) => hit.chunkId !== bridge.chunkId);
  const placed: GraphModeHit = at >= 0 ? { ...hits[at]!, why: { ...hits[at]!.why, graph: bridge.why.graph } } : { chunkId: bridge.chunkId, score: 0, why: { graph: bridge.why.graph } };
  // Its fused score would misstate its place; it takes its upper neighbour's, which keeps scores non-increasing.
  const score = rest[BRIDGE_RANK - 2]?.score ?? placed.score;
  return [...rest.slice(0, BRIDGE_RANK - 1), { ...placed, score }, ...rest.slice(BRIDGE_RANK - 1)];
}

/** BM25 of each hybrid candidate over the best one's, from 0 to 1; 0 for chunks the keyword index did not return. */
function keywordRelevance(hybrid: readonly HybridHit[]): (chunkId: string) => number {
  const scores = new Map(hybrid.map((hit) => [hit.chunkId, hit.why.keyword?.score ?? 0]));
  const best = Math.max(0, ...scores.values());
  return (chunkId) => (best > 0 ? Math.max(0, scores.get(chunkId) ?? 0) / best : 0);
}
