import type { AdjacencyGraph } from '../../rag/retrieve/personalized-pagerank.js';

/** Options for {@link personalizedPageRank}. */
export interface ExactPageRankOptions {
  /** Restart distribution: node → weight (normalised here). */
  readonly seeds: ReadonlyMap<number, number>;
  /** Probability of following an edge rather than restarting; HippoRAG uses 0.5. */
  readonly damping?: number;
  readonly iterations?: number;
  /** Stops early once the L1 change of an iteration falls below this. */
  readonly tolerance?: number;
}

/**
 * Exact personalised PageRank by power iteration: the reference the tests hold Trellis's forward-push approximation
 * (rag/retrieve/personalized-pagerank.ts) to. Scores of every node under a random walk that restarts at the seeds;
 * a walker at a node with no edges restarts (its mass goes back to the seeds), so scores always sum to one.
 */
export function personalizedPageRank(graph: AdjacencyGraph, options: ExactPageRankOptions): Float64Array {
  const damping = options.damping ?? 0.5;
  const iterations = options.iterations ?? 50;
  const tolerance = options.tolerance ?? 1e-9;
  const restart = new Float64Array(graph.nodeCount);
  let total = 0;
  for (const [node, weight] of options.seeds) {
    if (node >= 0 && node < graph.nodeCount && weight > 0) {
      restart[node]! += weight;
      total += weight;
    }
  }
  if (total === 0) return new Float64Array(graph.nodeCount);
  for (let node = 0; node < graph.nodeCount; node += 1) restart[node]! /= total;

  let scores = restart.slice();
  let next = new Float64Array(graph.nodeCount);
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    next.fill(0);
    let stranded = 0;
    for (let node = 0; node < graph.nodeCount; node += 1) {
      const mass = scores[node]!;
      if (mass === 0) continue;
      const start = graph.offsets[node]!;
      const end = graph.offsets[node + 1]!;
      if (start === end) {
        stranded += mass;
        continue;
      }
      for (let edge = start; edge < end; edge += 1) next[graph.neighbours[edge]!]! += damping * mass * graph.transitions[edge]!;
    }
    const restartMass = 1 - damping + damping * stranded;
    let change = 0;
    for (let node = 0; node < graph.nodeCount; node += 1) {
      next[node]! += restartMass * restart[node]!;
      change += Math.abs(next[node]! - scores[node]!);
    }
    [scores, next] = [next, scores];
    if (change < tolerance) break;
  }
  return scores;
}
