import { extractChunk } from '../extract/offline-extractor.js';
import { lookupKeys, normaliseName } from '../extract/normalise-name.js';
import { ENGLISH_STOP_WORDS } from '../stores/keyword/english-stop-words.js';
import type { GraphEntity, GraphStore } from '../stores/graph/types.js';
import type { StoreScope } from '../stores/types.js';

/** An entity the query names, with how much it should steer the search. */
export interface QueryEntity {
  readonly entity: GraphEntity;
  /** Longer and rarer names weigh more: "Plan 9 from Outer Space" says more than "American". */
  readonly weight: number;
}

/** Word n-grams of the query tried as entity names (a name of more words is rarely typed in a question). */
const MAX_NGRAM = 5;
const MAX_QUERY_ENTITIES = 30;

/**
 * The entities of the graph that a query names: the names and noun phrases the offline extractor finds in it, and
 * every word n-gram of it, looked up as normalised names and aliases (so a lower-case query still finds
 * "University of Southern California"). N-grams made only of stop words are not tried.
 */
export async function findQueryEntities(store: GraphStore, scope: StoreScope, query: string): Promise<readonly QueryEntity[]> {
  const keys = new Map<string, number>();
  for (const mention of extractChunk({ id: 'query', text: query }).entities) {
    for (const key of lookupKeys(mention.name, { proper: mention.proper })) keys.set(key, Math.max(keys.get(key) ?? 0, key.split(' ').length));
  }
  const words = normaliseName(query).split(' ').filter((word) => word !== '');
  for (let size = 1; size <= MAX_NGRAM; size += 1) {
    for (let start = 0; start + size <= words.length; start += 1) {
      const gram = words.slice(start, start + size);
      if (gram.every((word) => ENGLISH_STOP_WORDS.has(word) || /^\d+$/.test(word))) continue;
      const key = gram.join(' ');
      keys.set(key, Math.max(keys.get(key) ?? 0, size));
    }
  }
  if (keys.size === 0) return [];
  const found = await store.findEntities(scope, { keys: [...keys.keys()], limit: MAX_QUERY_ENTITIES * 4 });
  const matched = found.map((entity) => {
    const length = Math.max(1, ...[entity.id, ...entity.aliases.map(normaliseName)].map((name) => keys.get(name) ?? 0));
    // Specificity as in HippoRAG's node weighting: an entity in many chunks identifies few of them.
    const weight = length / Math.log2(1 + entity.chunkIds.length);
    return { entity, weight };
  });
  return matched.sort((left, right) => right.weight - left.weight).slice(0, MAX_QUERY_ENTITIES);
}
