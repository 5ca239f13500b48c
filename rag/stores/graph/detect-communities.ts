import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { UndirectedGraph } from 'graphology';
import { seededRandom } from '../../../core/seeded-random.js';
import { compareCodePoints } from './aggregate-mentions.js';
import type { GraphCommunity, GraphSnapshot } from './types.js';

// The plugin ships CommonJS with an ESM-style default export in its types; require gives the function itself.
const louvain = createRequire(import.meta.url)('graphology-communities-louvain') as typeof import('graphology-communities-louvain').default;

/** Members a community needs to be worth a summary: a lone entity is no theme. */
const MIN_MEMBERS = 2;
/** Chunks listed per community: its most shared evidence is enough to summarise or answer from. */
const MAX_CHUNKS_PER_COMMUNITY = 20;

/**
 * Louvain communities of the entity graph (relations as weighted undirected edges), for the graph-global mode.
 * Louvain is randomised; a fixed seed makes the partition a function of the graph, and nodes and edges are added
 * in sorted order because the result also depends on insertion order.
 */
export function detectCommunities(snapshot: GraphSnapshot): GraphCommunity[] {
  const graph = new UndirectedGraph({ allowSelfLoops: false });
  const entities = [...snapshot.entities].sort((left, right) => compareCodePoints(left.id, right.id));
  for (const entity of entities) graph.addNode(entity.id);
  const relations = [...snapshot.relations].sort((left, right) =>
    compareCodePoints(left.sourceId, right.sourceId) || compareCodePoints(left.targetId, right.targetId) || compareCodePoints(left.type, right.type));
  for (const relation of relations) {
    if (relation.sourceId === relation.targetId || !graph.hasNode(relation.sourceId) || !graph.hasNode(relation.targetId)) continue;
    const existing = graph.edge(relation.sourceId, relation.targetId);
    if (existing === undefined) graph.addEdge(relation.sourceId, relation.targetId, { weight: relation.weight });
    else graph.updateEdgeAttribute(existing, 'weight', (weight: number | undefined) => (weight ?? 0) + relation.weight);
  }
  if (graph.size === 0) return [];
  const assignment = louvain(graph, { getEdgeWeight: 'weight', rng: seededRandom(0x7e11) });

  const weightOf = new Map(entities.map((entity) => [entity.id, entity.weight]));
  const members = new Map<number, string[]>();
  for (const [entityId, community] of Object.entries(assignment)) {
    const list = members.get(community);
    if (list) list.push(entityId);
    else members.set(community, [entityId]);
  }
  const chunksOf = new Map<string, Map<string, number>>();
  for (const mention of snapshot.mentions) {
    let chunks = chunksOf.get(mention.entityId);
    if (!chunks) chunksOf.set(mention.entityId, (chunks = new Map()));
    chunks.set(mention.chunkId, (chunks.get(mention.chunkId) ?? 0) + mention.weight);
  }

  const communities: GraphCommunity[] = [];
  for (const ids of members.values()) {
    if (ids.length < MIN_MEMBERS) continue;
    const entityIds = ids.sort((left, right) => (weightOf.get(right) ?? 0) - (weightOf.get(left) ?? 0) || compareCodePoints(left, right));
    const shared = new Map<string, number>();
    for (const entityId of entityIds) {
      for (const [chunkId, weight] of chunksOf.get(entityId) ?? []) shared.set(chunkId, (shared.get(chunkId) ?? 0) + weight);
    }
    const chunkIds = [...shared.entries()]
      .sort(([leftId, left], [rightId, right]) => right - left || compareCodePoints(leftId, rightId))
      .slice(0, MAX_CHUNKS_PER_COMMUNITY)
      .map(([chunkId]) => chunkId);
    const sortedIds = [...entityIds].sort(compareCodePoints);
    communities.push({
      id: createHash('sha256').update(sortedIds.join('\u0000')).digest('hex').slice(0, 24),
      entityIds,
      chunkIds,
      weight: entityIds.reduce((total, id) => total + (weightOf.get(id) ?? 0), 0),
    });
  }
  return communities.sort((left, right) => right.weight - left.weight || compareCodePoints(left.id, right.id));
}
