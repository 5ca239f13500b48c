/**
 * Personalised PageRank on a weighted undirected graph held as compressed adjacency arrays. graphology-metrics'
 * PageRank has no personalisation vector (its teleport is uniform), which multi-hop retrieval needs: the walk must
 * restart at the query's entities.
 */

/** An undirected weighted graph over nodes 0..nodeCount-1, as compressed sparse rows. */
export interface AdjacencyGraph {
  readonly nodeCount: number;
  /** Neighbours of node i are `neighbours[offsets[i]..offsets[i+1])`. */
  readonly offsets: Uint32Array;
  readonly neighbours: Uint32Array;
  /** Transition probability along each stored edge: its weight over the node's total weight. */
  readonly transitions: Float64Array;
}

/** Builds an {@link AdjacencyGraph}; parallel edges add up, and each edge is stored in both directions. */
export function buildAdjacencyGraph(nodeCount: number, edges: readonly (readonly [number, number, number])[]): AdjacencyGraph {
  const degree = new Uint32Array(nodeCount + 1);
  for (const [from, to] of edges) {
    degree[from]! += 1;
    degree[to]! += 1;
  }
  const offsets = new Uint32Array(nodeCount + 1);
  for (let node = 0; node < nodeCount; node += 1) offsets[node + 1] = offsets[node]! + degree[node]!;
  const neighbours = new Uint32Array(offsets[nodeCount]!);
  const weights = new Float64Array(offsets[nodeCount]!);
  const cursor = offsets.slice(0, nodeCount);
  const strength = new Float64Array(nodeCount);
  for (const [from, to, weight] of edges) {
    neighbours[cursor[from]!] = to;
    weights[cursor[from]!] = weight;
    cursor[from]! += 1;
    neighbours[cursor[to]!] = from;
    weights[cursor[to]!] = weight;
    cursor[to]! += 1;
    strength[from]! += weight;
    strength[to]! += weight;
  }
  const transitions = new Float64Array(weights.length);
  for (let node = 0; node < nodeCount; node += 1) {
    for (let edge = offsets[node]!; edge < offsets[node + 1]!; edge += 1) transitions[edge] = weights[edge]! / strength[node]!;
  }
  return { nodeCount, offsets, neighbours, transitions };
}

/** Options for {@link personalizedPageRank}. */
export interface PersonalizedPageRankOptions {
  /** Restart distribution: node → weight (normalised here). */
  readonly seeds: ReadonlyMap<number, number>;
  /** Probability of following an edge rather than restarting; HippoRAG uses 0.5. */
  readonly damping?: number;
  readonly iterations?: number;
  /** Stops early once the L1 change of an iteration falls below this. */
  readonly tolerance?: number;
}

/**
 * Scores of every node under a random walk that restarts at the seeds. A walker at a node with no edges restarts
 * (its mass goes back to the seeds), so scores always sum to one.
 */
export function personalizedPageRank(graph: AdjacencyGraph, options: PersonalizedPageRankOptions): Float64Array {
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
