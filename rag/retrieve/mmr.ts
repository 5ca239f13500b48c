/** A candidate for {@link selectMmr}: a chunk and its embedding. */
export interface MmrCandidate {
  readonly chunkId: string;
  readonly embedding: readonly number[];
}

/** Options for {@link selectMmr}. */
export interface MmrOptions {
  readonly queryEmbedding: readonly number[];
  readonly candidates: readonly MmrCandidate[];
  readonly topK: number;
  /** 1 ranks by relevance alone, 0 by novelty alone; defaults to 0.5. */
  readonly lambda?: number;
}

/** A selected chunk, in selection order. */
export interface MmrHit {
  readonly chunkId: string;
  /** λ·relevance − (1−λ)·redundancy at the moment it was picked. */
  readonly score: number;
  /** Cosine similarity to the query. */
  readonly relevance: number;
  /** Highest cosine similarity to a chunk picked before it (0 for the first). */
  readonly redundancy: number;
}

/**
 * Maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998): greedily picks the candidate that best
 * balances similarity to the query against similarity to what is already picked, so near-duplicate chunks do
 * not fill the context window. Cosine similarities throughout; O(topK × candidates) dot products.
 */
export function selectMmr(options: MmrOptions): MmrHit[] {
  const lambda = options.lambda ?? 0.5;
  const query = unit(options.queryEmbedding);
  const vectors = options.candidates.map((candidate) => unit(candidate.embedding));
  const relevance = vectors.map((vector) => dot(query, vector));
  const redundancy = vectors.map(() => 0);
  const remaining = new Set(vectors.keys());
  const selected: MmrHit[] = [];
  while (selected.length < options.topK && remaining.size > 0) {
    let best = -1;
    let bestScore = -Infinity;
    for (const index of remaining) {
      const score = lambda * relevance[index]! - (1 - lambda) * redundancy[index]!;
      if (score > bestScore) {
        best = index;
        bestScore = score;
      }
    }
    remaining.delete(best);
    selected.push({
      chunkId: options.candidates[best]!.chunkId,
      score: bestScore,
      relevance: relevance[best]!,
      redundancy: redundancy[best]!,
    });
    for (const index of remaining) redundancy[index] = Math.max(redundancy[index]!, dot(vectors[best]!, vectors[index]!));
  }
  return selected;
}

function unit(vector: readonly number[]): number[] {
  const norm = Math.sqrt(dot(vector, vector));
  return norm === 0 ? [...vector] : vector.map((value) => value / norm);
}

function dot(left: readonly number[], right: readonly number[]): number {
  let total = 0;
  for (let index = 0; index < left.length; index += 1) total += left[index]! * (right[index] ?? 0);
  return total;
}
