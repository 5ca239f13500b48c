import { describe, expect, it } from 'vitest';
import { buildAdjacencyGraph, personalizedPageRank } from '../../../../rag/retrieve/personalized-pagerank.js';

describe('personalizedPageRank', () => {
  // A path 0 - 1 - 2 - 3 and an isolated node 4.
  const path = buildAdjacencyGraph(5, [[0, 1, 1], [1, 2, 1], [2, 3, 1]]);

  it('decays with distance from the seed and sums to one', () => {
    const scores = personalizedPageRank(path, { seeds: new Map([[0, 1]]), damping: 0.5 });
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(scores[1]).toBeGreaterThan(scores[2]!);
    expect(scores[2]).toBeGreaterThan(scores[3]!);
    expect(scores[4]).toBe(0);
    expect(scores.reduce((total, score) => total + score, 0)).toBeCloseTo(1, 9);
  });

  it('matches the closed form on two nodes', () => {
    // Restart at 0 with probability 1 - d: x0 = (1 - d) + d·x1, x1 = d·x0 → x0 = 1 / (1 + d).
    const scores = personalizedPageRank(buildAdjacencyGraph(2, [[0, 1, 1]]), { seeds: new Map([[0, 1]]), damping: 0.5, iterations: 200 });
    expect(scores[0]).toBeCloseTo(1 / 1.5, 6);
    expect(scores[1]).toBeCloseTo(0.5 / 1.5, 6);
  });

  it('follows heavier edges more', () => {
    const star = buildAdjacencyGraph(3, [[0, 1, 3], [0, 2, 1]]);
    const scores = personalizedPageRank(star, { seeds: new Map([[0, 1]]) });
    expect(scores[1]! / scores[2]!).toBeCloseTo(3, 6);
  });

  it('sends the mass of a seed without edges back to the seeds, and ignores seeds out of range', () => {
    const scores = personalizedPageRank(path, { seeds: new Map([[4, 1], [99, 5], [0, 0]]) });
    expect(scores[4]).toBeCloseTo(1, 9);
    expect(personalizedPageRank(path, { seeds: new Map() }).every((score) => score === 0)).toBe(true);
  });
});
