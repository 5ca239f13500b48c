import type { GraphSnapshot, GraphStore } from '../stores/graph/types.js';
import type { StoreScope } from '../stores/types.js';
import { buildAdjacencyGraph, type AdjacencyGraph } from './personalized-pagerank.js';

/** One side of an entity–chunk mention: the other end and how strongly the chunk mentions the entity. */
export interface MentionEnd {
  readonly id: string;
  readonly weight: number;
}

/**
 * The graph of one scope at one revision, in the shapes the graph modes walk: entity and chunk nodes for
 * personalised PageRank (entities first, then chunks), and the mentions indexed from both ends.
 */
export interface WalkGraph {
  readonly revision: number;
  readonly graph: AdjacencyGraph;
  readonly nodeOf: ReadonlyMap<string, number>;
  readonly chunkOf: ReadonlyMap<number, string>;
  readonly nameOf: ReadonlyMap<string, string>;
  /** Chunk id → the entities it mentions. */
  readonly entitiesOfChunk: ReadonlyMap<string, readonly MentionEnd[]>;
  /** Entity id → the chunks that mention it. */
  readonly chunksOfEntity: ReadonlyMap<string, readonly MentionEnd[]>;
  /** Chunk id → the weight of its strongest mention (its subject's, usually the entity its title names). */
  readonly strongestMention: ReadonlyMap<string, number>;
}

/**
 * Weight of an entity–entity relation edge relative to entity–chunk edges: relations let the walk cross between
 * entities of one chunk without passing through it, which matters less than reaching the chunks themselves.
 */
export const RELATION_EDGE_SHARE = 0.25;

const walkGraphs = new WeakMap<GraphStore, Map<string, WalkGraph>>();
const MAX_CACHED_SCOPES = 16;

/** The scope's walk graph, built from one snapshot per revision of its graph and cached (16 scopes a store). */
export async function walkGraphOf(store: GraphStore, scope: StoreScope, relationShare = RELATION_EDGE_SHARE): Promise<WalkGraph> {
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

export function buildWalkGraph(snapshot: GraphSnapshot, relationShare = RELATION_EDGE_SHARE): WalkGraph {
  const nodeOf = new Map<string, number>();
  const chunkOf = new Map<number, string>();
  const nameOf = new Map<string, string>();
  for (const entity of snapshot.entities) {
    nodeOf.set(entity.id, nodeOf.size);
    nameOf.set(entity.id, entity.name);
  }
  const entitiesOfChunk = new Map<string, MentionEnd[]>();
  const chunksOfEntity = new Map<string, MentionEnd[]>();
  const strongestMention = new Map<string, number>();
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
    append(entitiesOfChunk, mention.chunkId, { id: mention.entityId, weight: mention.weight });
    append(chunksOfEntity, mention.entityId, { id: mention.chunkId, weight: mention.weight });
    strongestMention.set(mention.chunkId, Math.max(strongestMention.get(mention.chunkId) ?? 0, mention.weight));
  }
  for (const relation of snapshot.relations) {
    const source = nodeOf.get(relation.sourceId);
    const target = nodeOf.get(relation.targetId);
    if (source === undefined || target === undefined || source === target || relationShare <= 0) continue;
    edges.push([source, target, relationShare * relation.weight]);
  }
  return { revision: snapshot.revision, graph: buildAdjacencyGraph(nodeOf.size, edges), nodeOf, chunkOf, nameOf, entitiesOfChunk, chunksOfEntity, strongestMention };
}

function append(index: Map<string, MentionEnd[]>, key: string, end: MentionEnd): void {
  const list = index.get(key);
  if (list) list.push(end);
  else index.set(key, [end]);
}
