import type { GraphSnapshot, GraphStore } from '../stores/graph/types.js';
import type { IndexHit, StoreScope } from '../stores/types.js';
import { toGraphHits, type GraphHit } from './graph-hit.js';
import { findQueryEntities } from './graph-query-entities.js';
import { buildAdjacencyGraph, personalizedPageRank, type AdjacencyGraph } from './personalized-pagerank.js';

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
}

/**
 * Weight of an entity–entity relation edge relative to entity–chunk edges: relations let the walk cross between
 * entities of one chunk without passing through it, which matters less than reaching the chunks themselves.
 */
const RELATION_EDGE_SHARE = 0.25;

/** The walkable graph of one scope at one revision: entity nodes first, then chunk nodes. */
interface WalkGraph {
  readonly revision: number;
  readonly graph: AdjacencyGraph;
  readonly nodeOf: ReadonlyMap<string, number>;
  readonly chunkOf: ReadonlyMap<number, string>;
  readonly nameOf: ReadonlyMap<string, string>;
  /** Chunk node → its entity ids, for "why". */
  readonly entitiesOfChunk: ReadonlyMap<string, readonly string[]>;
}

const walkGraphs = new WeakMap<GraphStore, Map<string, WalkGraph>>();
const MAX_CACHED_SCOPES = 16;

/**
 * graph-multihop, HippoRAG-style: personalised PageRank over the graph of entities and chunks (entity–chunk
 * mentions, entity–entity relations), restarting at the entities the query names (weighted by specificity) and,
 * when given, at passages found by another retriever. Chunks are ranked by their score: a chunk two hops from
 * the query's entities (the film's director's page, through the film's page) surfaces when the first hop leads
 * to it. The walkable graph is built once per revision of the scope's graph and cached.
 */
export async function retrieveGraphMultihop(options: RetrieveGraphMultihopOptions): Promise<GraphHit[]> {
  const { store, scope } = options;
  const [walk, named] = await Promise.all([walkGraphOf(store, scope, options.relationShare ?? RELATION_EDGE_SHARE), findQueryEntities(store, scope, options.query)]);
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
  const scores = personalizedPageRank(walk.graph, { seeds, damping: options.damping });
  const namedIds = new Set(named.map(({ entity }) => entity.id));
  const scored: { chunkId: string; score: number; entities: string[] }[] = [];
  for (const [node, chunkId] of walk.chunkOf) {
    const score = scores[node]!;
    if (score <= 0) continue;
    const entities = [...(walk.entitiesOfChunk.get(chunkId) ?? [])]
      .sort((left, right) => Number(namedIds.has(right)) - Number(namedIds.has(left)) || scores[walk.nodeOf.get(right)!]! - scores[walk.nodeOf.get(left)!]!)
      .slice(0, 5)
      .map((id) => walk.nameOf.get(id) ?? id);
    scored.push({ chunkId, score, entities });
  }
  return toGraphHits('graph-multihop', scored, options.topK);
}

async function walkGraphOf(store: GraphStore, scope: StoreScope, relationShare: number): Promise<WalkGraph> {
  let cache = walkGraphs.get(store);
  if (!cache) walkGraphs.set(store, (cache = new Map()));
  const cacheKey = `${scope.tenantId}\u0000${scope.kbId}\u0000${relationShare}`;
  const revision = await store.revision(scope);
  const cached = cache.get(cacheKey);
  if (cached && cached.revision === revision) return cached;
  const built = buildWalkGraph(await store.snapshot(scope), relationShare);
  if (cache.size >= MAX_CACHED_SCOPES) cache.clear();
  cache.set(cacheKey, built);
  return built;
}

function buildWalkGraph(snapshot: GraphSnapshot, relationShare: number): WalkGraph {
  const nodeOf = new Map<string, number>();
  const chunkOf = new Map<number, string>();
  const nameOf = new Map<string, string>();
  for (const entity of snapshot.entities) {
    nodeOf.set(entity.id, nodeOf.size);
    nameOf.set(entity.id, entity.name);
  }
  const entitiesOfChunk = new Map<string, string[]>();
  const edges: [number, number, number][] = [];
  for (const mention of snapshot.mentions) {
    const entity = nodeOf.get(mention.entityId);
    if (entity === undefined) continue;
    const chunkKey = `chunk:${mention.chunkId}`;
    let chunk = nodeOf.get(chunkKey);
    if (chunk === undefined) {
      chunk = nodeOf.size;
      nodeOf.set(chunkKey, chunk);
      chunkOf.set(chunk, mention.chunkId);
    }
    edges.push([entity, chunk, mention.weight]);
    const list = entitiesOfChunk.get(mention.chunkId);
    if (list) list.push(mention.entityId);
    else entitiesOfChunk.set(mention.chunkId, [mention.entityId]);
  }
  for (const relation of snapshot.relations) {
    const source = nodeOf.get(relation.sourceId);
    const target = nodeOf.get(relation.targetId);
    if (source === undefined || target === undefined || source === target || relationShare <= 0) continue;
    edges.push([source, target, relationShare * relation.weight]);
  }
  return { revision: snapshot.revision, graph: buildAdjacencyGraph(nodeOf.size, edges), nodeOf, chunkOf, nameOf, entitiesOfChunk };
}
