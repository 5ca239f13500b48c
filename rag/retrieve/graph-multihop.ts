import type { GraphStore } from '../stores/graph/types.js';
import type { IndexHit, StoreScope } from '../stores/types.js';
import { toGraphHits, type GraphHit } from './graph-hit.js';
import { findQueryEntities, type QueryEntity } from './graph-query-entities.js';
import { approximatePersonalizedPageRank } from './personalized-pagerank.js';
import { RELATION_EDGE_SHARE, walkGraphOf } from './graph-walk.js';

/** Options for {@link retrieveGraphMultihop}. */
export interface RetrieveGraphMultihopOptions {
  readonly store: GraphStore;
  readonly scope: StoreScope;
  readonly query: string;
  readonly topK: number;
  /**
   * Passages another retriever found for the query, also used as restart points (HippoRAG 2 seeds passages by
   * dense similarity beside the query's entities); each weighs `passageSeedWeight` times the top entity seed at most.
   */
  readonly passageSeeds?: readonly IndexHit[];
  readonly passageSeedWeight?: number;
  readonly damping?: number;
  /** Weight of entity–entity relation edges against entity–chunk edges (default {@link RELATION_EDGE_SHARE}). */
  readonly relationShare?: number;
  /** The query's entities when the caller has found them already (graph-hybrid); found here otherwise. */
  readonly queryEntities?: readonly QueryEntity[];
}

/**
 * graph-multihop, HippoRAG-style: personalised PageRank over the graph of entities and chunks (entity–chunk
 * mentions, entity–entity relations), restarting at the entities the query names (weighted by specificity) and,
 * when given, at passages found by another retriever. Chunks are ranked by their score: a chunk two hops from
 * the query's entities (the film's director's page, through the film's page) surfaces when the first hop leads
 * to it. The walkable graph is built once per revision of the scope's graph and cached.
 */
export async function retrieveGraphMultihop(options: RetrieveGraphMultihopOptions): Promise<GraphHit[]> {
  const { store, scope } = options;
  const [walk, named] = await Promise.all([walkGraphOf(store, scope, options.relationShare ?? RELATION_EDGE_SHARE), options.queryEntities ?? findQueryEntities(store, scope, options.query)]);
  const seeds = new Map<number, number>();
  for (const { entity, weight } of named) {
    const node = walk.nodeOf.get(entity.id);
    if (node !== undefined) seeds.set(node, (seeds.get(node) ?? 0) + weight);
  }
  const strongest = Math.max(0, ...seeds.values());
  const passages = options.passageSeeds ?? [];
  if (passages.length > 0) {
    const share = (options.passageSeedWeight ?? 0.5) * (strongest > 0 ? strongest : 1);
    const best = Math.max(...passages.map((hit) => hit.score));
    const worst = Math.min(...passages.map((hit) => hit.score));
    passages.forEach((hit) => {
      const node = walk.nodeOf.get(`chunk:${hit.chunkId}`);
      if (node === undefined) return;
      const relative = best === worst ? 1 : (hit.score - worst) / (best - worst);
      seeds.set(node, (seeds.get(node) ?? 0) + share * (0.5 + 0.5 * relative));
    });
  }
  if (seeds.size === 0) return [];
  const scores = approximatePersonalizedPageRank(walk.graph, { seeds, damping: options.damping });
  const scored: { chunkId: string; score: number; entities: string[] }[] = [];
  for (const [node, score] of scores) {
    const chunkId = walk.chunkOf.get(node);
    if (chunkId !== undefined && score > 0) scored.push({ chunkId, score, entities: [] });
  }
  // The entities that led to a hit, the query's first: only for the hits returned.
  const namedIds = new Set(named.map(({ entity }) => entity.id));
  const scoreOf = (id: string) => scores.get(walk.nodeOf.get(id)!) ?? 0;
  return toGraphHits('graph-multihop', scored, options.topK).map((hit) => {
    const entities = (walk.entitiesOfChunk.get(hit.chunkId) ?? [])
      .map((mention) => mention.id)
      .sort((left, right) => Number(namedIds.has(right)) - Number(namedIds.has(left)) || scoreOf(right) - scoreOf(left))
      .slice(0, 5)
      .map((id) => walk.nameOf.get(id) ?? id);
    return { ...hit, why: { graph: { ...hit.why.graph, entities } } };
  });
}
