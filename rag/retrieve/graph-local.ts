import type { GraphStore } from '../stores/graph/types.js';
import type { StoreScope } from '../stores/types.js';
import { toGraphHits, type GraphHit } from './graph-hit.js';
import { findQueryEntities, type QueryEntity } from './graph-query-entities.js';

/** Options for {@link retrieveGraphLocal}. */
export interface RetrieveGraphLocalOptions {
  readonly store: GraphStore;
  readonly scope: StoreScope;
  readonly query: string;
  readonly topK: number;
  /** Entities around the query's that are taken along (default 30). */
  readonly neighbours?: number;
  /** The query's entities when the caller has found them already (graph-hybrid); found here otherwise. */
  readonly queryEntities?: readonly QueryEntity[];
}

/** A neighbour's chunks count this much of a named entity's: they are context, not the subject. */
const NEIGHBOUR_SHARE = 0.3;

/**
 * graph-local: the entities the query names, their direct neighbours, and the chunks that mention them. A chunk
 * scores by the entities it mentions, each weighted by how specific it is (rarer entities count more) and by
 * the mention's weight; neighbours count {@link NEIGHBOUR_SHARE} as much, scaled by how strongly they relate.
 */
export async function retrieveGraphLocal(options: RetrieveGraphLocalOptions): Promise<GraphHit[]> {
  const { store, scope } = options;
  const named = options.queryEntities ?? (await findQueryEntities(store, scope, options.query));
  if (named.length === 0) return [];
  const weightOf = new Map(named.map(({ entity, weight }) => [entity.id, weight]));
  const nameOf = new Map(named.map(({ entity }) => [entity.id, entity.name]));
  const relations = await store.relationsOf(scope, { entityIds: [...weightOf.keys()], limit: 500 });
  const strongest = Math.max(1, ...relations.map((relation) => relation.weight));
  const neighbourWeight = new Map<string, number>();
  for (const relation of relations) {
    const [from, to] = weightOf.has(relation.sourceId) ? [relation.sourceId, relation.targetId] : [relation.targetId, relation.sourceId];
    if (weightOf.has(to)) continue;
    const weight = NEIGHBOUR_SHARE * weightOf.get(from)! * (relation.weight / strongest);
    neighbourWeight.set(to, Math.max(neighbourWeight.get(to) ?? 0, weight));
  }
  const neighbours = [...neighbourWeight.entries()].sort(([, left], [, right]) => right - left).slice(0, options.neighbours ?? 30);
  for (const entity of await store.getEntities(scope, neighbours.map(([id]) => id))) nameOf.set(entity.id, entity.name);
  const all = new Map([...neighbours, ...weightOf]);

  const edges = await store.entityChunkEdges(scope, { entityIds: [...all.keys()] });
  const chunkCount = new Map<string, number>();
  for (const edge of edges) chunkCount.set(edge.entityId, (chunkCount.get(edge.entityId) ?? 0) + 1);
  const scored = new Map<string, { score: number; entities: { name: string; contribution: number }[] }>();
  for (const edge of edges) {
    // Neighbours' specificity was not counted in their weight yet; named entities' was (findQueryEntities).
    const specificity = weightOf.has(edge.entityId) ? 1 : 1 / Math.log2(1 + chunkCount.get(edge.entityId)!);
    const contribution = all.get(edge.entityId)! * specificity * Math.log1p(edge.weight);
    const entry = scored.get(edge.chunkId) ?? { score: 0, entities: [] };
    entry.score += contribution;
    entry.entities.push({ name: nameOf.get(edge.entityId) ?? edge.entityId, contribution });
    scored.set(edge.chunkId, entry);
  }
  return toGraphHits(
    'graph-local',
    [...scored.entries()].map(([chunkId, { score, entities }]) => ({
      chunkId,
      score,
      entities: entities.sort((left, right) => right.contribution - left.contribution).slice(0, 5).map((entity) => entity.name),
    })),
    options.topK,
  );
}
