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

/** Options for {@link approximatePersonalizedPageRank}. */
export interface ApproximatePersonalizedPageRankOptions {
  readonly seeds: ReadonlyMap<number, number>;
  readonly damping?: number;
  /**
   * A node's residual mass is pushed on while it exceeds this times the node's degree: each score is then within
   * `epsilon · degree` of the exact one, and the work is at most about 1 / (epsilon · (1 − damping)) edge visits,
   * whatever the graph's size.
   */
  readonly epsilon?: number;
}

/**
 * Personalised PageRank by forward push (Andersen, Chung and Lang, FOCS 2006): mass spreads from the seeds only as
 * far as it matters, so the cost follows the neighbourhood of the seeds, not the graph. Power iteration (the exact
 * method, which the tests compare against) touches every edge about thirty times a query; on a knowledge base of
 * 100k chunks, that is seconds. Returns the nodes reached, with their scores; a walker at a node without edges
 * restarts at the seeds.
 */
export function approximatePersonalizedPageRank(graph: AdjacencyGraph, options: ApproximatePersonalizedPageRankOptions): Map<number, number> {
  const damping = options.damping ?? 0.5;
  const epsilon = options.epsilon ?? 1e-6;
  const restart = new Map<number, number>();
  let total = 0;
  for (const [node, weight] of options.seeds) {
    if (node >= 0 && node < graph.nodeCount && weight > 0) {
      restart.set(node, (restart.get(node) ?? 0) + weight);
      total += weight;
    }
  }
  const scores = new Map<number, number>();
  if (total === 0) return scores;
  const residual = new Map<number, number>();
  const queue: number[] = [];
  const queued = new Set<number>();
  const degree = (node: number) => Math.max(1, graph.offsets[node + 1]! - graph.offsets[node]!);
  const add = (node: number, mass: number) => {
    const value = (residual.get(node) ?? 0) + mass;
    residual.set(node, value);
    if (!queued.has(node) && value > epsilon * degree(node)) {
      queued.add(node);
      queue.push(node);
    }
  };
  for (const [node, weight] of restart) add(node, weight / total);
  // A stranded walker's mass returns to the seeds; below this it is dropped rather than cycled for ever.
  let stranded = 0;
  for (let head = 0; head < queue.length || stranded > epsilon; head += 1) {
    if (head >= queue.length) {
      for (const [node, weight] of restart) add(node, (stranded * weight) / total);
      stranded = 0;
      if (head >= queue.length) break;
    }
    const node = queue[head]!;
    queued.delete(node);
    const mass = residual.get(node) ?? 0;
    residual.set(node, 0);
    scores.set(node, (scores.get(node) ?? 0) + (1 - damping) * mass);
    const start = graph.offsets[node]!;
    const end = graph.offsets[node + 1]!;
    if (start === end) {
      stranded += damping * mass;
      continue;
    }
    for (let edge = start; edge < end; edge += 1) add(graph.neighbours[edge]!, damping * mass * graph.transitions[edge]!);
  }
  return scores;
}
