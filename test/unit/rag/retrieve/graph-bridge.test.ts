import { describe, expect, it } from 'vitest';
import { findBridgePassages } from '../../../../rag/retrieve/graph-bridge.js';
import { buildWalkGraph } from '../../../../rag/retrieve/graph-walk.js';

/**
 * "Who directed the film that was shot in Leland in 1986?": the town's page lists three films; each film has its
 * own page (its title entity weighs 3), and one more page mentions a film in passing. "North Carolina" and
 * "United States" are on many pages.
 */
const mention = (entityId: string, chunkId: string, weight = 1) => ({ entityId, chunkId, weight });
const entity = (id: string) => ({ id, name: id.replace(/\b\w/g, (letter) => letter.toUpperCase()), type: 'name', weight: 1 });
const ENTITIES = ['leland', 'north carolina', 'united states', 'maximum overdrive', 'domestic disturbance', 'we re the millers', 'stephen king'];
const common = Array.from({ length: 40 }, (_, index) => [mention('north carolina', `nc-${index}`, 3), mention('united states', `nc-${index}`)]).flat();
const walk = buildWalkGraph({
  revision: 1,
  entities: ENTITIES.map(entity),
  relations: [],
  mentions: [
    mention('leland', 'leland', 3), mention('north carolina', 'leland'), mention('united states', 'leland'),
    mention('maximum overdrive', 'leland'), mention('domestic disturbance', 'leland'), mention('we re the millers', 'leland'),
    mention('maximum overdrive', 'overdrive', 3), mention('stephen king', 'overdrive'),
    mention('domestic disturbance', 'disturbance', 3),
    mention('we re the millers', 'millers', 3),
    // A review that names the film in passing: about something else.
    mention('stephen king', 'review', 3), mention('maximum overdrive', 'review'),
    ...common,
  ],
});
const firstHop = [{ chunkId: 'leland', score: 9 }];
const queryEntityIds = new Set(['leland', 'north carolina']);

describe('findBridgePassages', () => {
  it('crosses from the first-hop passage to the pages about what it names, best query match first', () => {
    // BM25 of each page against the question: the 1986 film directed by... matches best.
    const relevance = (chunkId: string) => ({ overdrive: 0.6, disturbance: 0.2, millers: 0.1 })[chunkId as 'overdrive'] ?? 0;
    const hits = findBridgePassages({ walk, firstHop, relevance, queryEntityIds, topK: 5 });
    expect(hits.map((hit) => hit.chunkId).slice(0, 3)).toEqual(['overdrive', 'disturbance', 'millers']);
    expect(hits[0]!.why.graph).toMatchObject({ mode: 'graph-bridge', rank: 1, entities: ['Maximum Overdrive'] });
  });

  it('prefers the page about the bridging entity to one that mentions it in passing', () => {
    const hits = findBridgePassages({ walk, firstHop, relevance: () => 0, queryEntityIds, topK: 10 });
    const rank = (chunkId: string) => hits.findIndex((hit) => hit.chunkId === chunkId);
    expect(rank('overdrive')).toBeGreaterThanOrEqual(0);
    expect(rank('review') === -1 || rank('review') > rank('overdrive')).toBe(true);
  });

  it('does not bridge through the entities the query names, nor return the first-hop passage itself', () => {
    const hits = findBridgePassages({ walk, firstHop, relevance: () => 1, queryEntityIds, topK: 100 });
    const ids = hits.map((hit) => hit.chunkId);
    expect(ids).not.toContain('leland');
    // nc-* pages are reachable only through North Carolina (named) and United States (in 41 chunks: 1/log2(42) ≈ 0.19).
    const viaCommon = hits.filter((hit) => hit.chunkId.startsWith('nc-'));
    expect(viaCommon.every((hit) => hit.why.graph.entities[0] === 'United States')).toBe(true);
    expect(Math.max(...viaCommon.map((hit) => hit.score))).toBeLessThan(hits[0]!.score);
  });

  it('weighs later first-hop passages less, and finds nothing from a passage without entities', () => {
    const second = findBridgePassages({ walk, firstHop: [{ chunkId: 'unknown', score: 10 }, ...firstHop], relevance: () => 0.5, queryEntityIds, topK: 1 });
    const first = findBridgePassages({ walk, firstHop, relevance: () => 0.5, queryEntityIds, topK: 1 });
    expect(second[0]!.chunkId).toBe(first[0]!.chunkId);
    expect(second[0]!.score).toBeCloseTo(first[0]!.score / 2, 9);
    expect(findBridgePassages({ walk, firstHop: [{ chunkId: 'unknown', score: 1 }], relevance: () => 1, queryEntityIds, topK: 5 })).toEqual([]);
  });
});
