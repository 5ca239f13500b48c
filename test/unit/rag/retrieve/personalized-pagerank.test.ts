import { describe, expect, it } from 'vitest';
import { approximatePersonalizedPageRank, buildAdjacencyGraph } from '../../../../rag/retrieve/personalized-pagerank.js';
import { personalizedPageRank } from '../../../helpers/exact-personalized-pagerank.js';

// A path 0 - 1 - 2 - 3 and an isolated node 4.
const path = buildAdjacencyGraph(5, [[0, 1, 1], [1, 2, 1], [2, 3, 1]]);

describe('personalizedPageRank (the exact reference)', () => {
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

describe('approximatePersonalizedPageRank', () => {
  // A seeded pseudo-random graph of 2,000 nodes with hubs (low ids get most edges), and a separate component.
  function randomGraph(): ReturnType<typeof buildAdjacencyGraph> {
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const edges: [number, number, number][] = [];
    for (let edge = 0; edge < 8000; edge += 1) {
      const from = Math.floor(random() * 1900);
      const to = Math.floor(random() ** 2 * 1900);
      if (from !== to) edges.push([from, to, 1 + Math.floor(random() * 3)]);
    }
    for (let node = 1900; node < 1999; node += 1) edges.push([node, node + 1, 1]);
    return buildAdjacencyGraph(2000, edges);
  }
  const graph = randomGraph();
  const seeds = new Map([[7, 2], [300, 1], [1500, 0.5]]);

  it('stays within epsilon times the degree of the exact scores, and finds the same top ten', () => {
    const exact = personalizedPageRank(graph, { seeds, iterations: 200, tolerance: 1e-14 });
    const epsilon = 1e-6;
    const approximate = approximatePersonalizedPageRank(graph, { seeds, epsilon });
    for (let node = 0; node < graph.nodeCount; node += 1) {
      const degree = Math.max(1, graph.offsets[node + 1]! - graph.offsets[node]!);
      expect(Math.abs((approximate.get(node) ?? 0) - exact[node]!)).toBeLessThanOrEqual(epsilon * degree * 2);
    }
    const top = (scoreOf: (node: number) => number) => [...Array(graph.nodeCount).keys()].sort((a, b) => scoreOf(b) - scoreOf(a)).slice(0, 10);
    const [approximateTop, exactTop] = [top((node) => approximate.get(node) ?? 0), top((node) => exact[node]!)];
    // Scores within the bound may swap near-ties (7th and 8th here), never the ten that make the top.
    expect(approximateTop.slice(0, 6)).toEqual(exactTop.slice(0, 6));
    expect([...approximateTop].sort()).toEqual([...exactTop].sort());
    const total = [...approximate.values()].reduce((sum, score) => sum + score, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-12);
    expect(total).toBeGreaterThan(0.99);
  });

  it('never reaches a component the seeds are not in, and touches less of the graph with a larger epsilon', () => {
    const coarse = approximatePersonalizedPageRank(graph, { seeds, epsilon: 1e-3 });
    const fine = approximatePersonalizedPageRank(graph, { seeds, epsilon: 1e-7 });
    for (const scores of [coarse, fine]) expect([...scores.keys()].some((node) => node >= 1900)).toBe(false);
    expect(coarse.size).toBeLessThan(fine.size);
  });

  it('matches the closed form on two nodes, sends a stranded seed back to the seeds, and ignores seeds out of range', () => {
    const pair = approximatePersonalizedPageRank(buildAdjacencyGraph(2, [[0, 1, 1]]), { seeds: new Map([[0, 1]]), epsilon: 1e-12 });
    expect(pair.get(0)).toBeCloseTo(1 / 1.5, 9);
    expect(pair.get(1)).toBeCloseTo(0.5 / 1.5, 9);
    const stranded = approximatePersonalizedPageRank(path, { seeds: new Map([[4, 1], [99, 5], [0, 0]]) });
    expect(stranded.get(4)).toBeCloseTo(1, 5);
    expect(approximatePersonalizedPageRank(path, { seeds: new Map() }).size).toBe(0);
  });
});
