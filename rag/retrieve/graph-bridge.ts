import type { IndexHit } from '../stores/types.js';
import { toGraphHits, type GraphHit } from './graph-hit.js';
import type { WalkGraph } from './graph-walk.js';

/** Options for {@link findBridgePassages}. */
export interface FindBridgePassagesOptions {
  readonly walk: WalkGraph;
  /** The first hop: the passages the query itself finds, best first. */
  readonly firstHop: readonly IndexHit[];
  /** How well a chunk matches the query's own words, from 0 (not at all, or unknown) to 1 (the best match). */
  readonly relevance: (chunkId: string) => number;
  /** The entities the query names: the question already has them, so they are no bridge to anything new. */
  readonly queryEntityIds: ReadonlySet<string>;
  readonly topK: number;
  /** First-hop passages followed (default 3). */
  readonly seeds?: number;
}

/**
 * Share of the score a bridge passage keeps when it shares no word with the query: the link alone still counts, for the
 * second hop of a question often shares none ("the director of the film shot in Leland" finds Stephen King's page
 * only through the film's).
 */
const RELEVANCE_FLOOR = 0.1;
/**
 * How sharply a passage must be about the bridging entity: (its mention weight over the passage's strongest) to
 * this power. The passage whose title names the entity is about it; one that mentions it in passing is not.
 */
const SUBJECT_SHARPNESS = 2;
const DEFAULT_SEEDS = 3;
/**
 * Entities in more chunks than this are not followed: they single out no passage (specificity would weigh them
 * near nothing anyway), and walking their mentions would cost a pass over a large share of the knowledge base.
 */
const MAX_BRIDGE_FANOUT = 2000;

/**
 * The second hop of a bridge question: from each of the best first-hop passages, through the entities it names that
 * the query does not (the film the town's page lists), to the passages about those entities (the film's own page),
 * ranked by how the query's words fit them. A passage scores
 *
 *   Σ over first-hop passages p (rank r):  1/r · max over bridging entities e of specificity(e) · aboutness(e, passage)
 *                                           · (floor + (1 − floor) · relevance(passage))
 *
 * where specificity is 1 / log2(1 + chunks mentioning e), so "United States" bridges to nothing in particular.
 * This is multi-hop dense retrieval's chain (MDR: retrieve p1, then p2 given p1) with the graph's entities as the
 * link and BM25 as the relevance, without a second query to any index.
 */
export function findBridgePassages(options: FindBridgePassagesOptions): GraphHit[] {
  const { walk, relevance, queryEntityIds } = options;
  const scores = new Map<string, { score: number; via: string }>();
  options.firstHop.slice(0, options.seeds ?? DEFAULT_SEEDS).forEach((first, index) => {
    const links = new Map<string, { link: number; via: string }>();
    for (const { id: entityId } of walk.entitiesOfChunk.get(first.chunkId) ?? []) {
      if (queryEntityIds.has(entityId)) continue;
      const chunks = walk.chunksOfEntity.get(entityId) ?? [];
      if (chunks.length > MAX_BRIDGE_FANOUT) continue;
      const specificity = 1 / Math.log2(1 + chunks.length);
      for (const mention of chunks) {
        if (mention.id === first.chunkId) continue;
        const aboutness = (mention.weight / (walk.strongestMention.get(mention.id) ?? mention.weight)) ** SUBJECT_SHARPNESS;
        const link = specificity * aboutness;
        if (link > (links.get(mention.id)?.link ?? 0)) links.set(mention.id, { link, via: entityId });
      }
    }
    // A passage reached from several first-hop passages adds up; it is explained by the entity of the first.
    for (const [chunkId, { link, via }] of links) {
      const score = (link / (index + 1)) * (RELEVANCE_FLOOR + (1 - RELEVANCE_FLOOR) * relevance(chunkId));
      const existing = scores.get(chunkId);
      if (existing) existing.score += score;
      else scores.set(chunkId, { score, via });
    }
  });
  return toGraphHits(
    'graph-bridge',
    [...scores].map(([chunkId, { score, via }]) => ({ chunkId, score, entities: [walk.nameOf.get(via) ?? via] })),
    options.topK,
  );
}
