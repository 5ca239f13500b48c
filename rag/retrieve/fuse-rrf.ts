import type { IndexHit } from '../stores/types.js';

/** One ranked list to fuse, best first. */
export interface RankedList {
  /** Names the list in each fused hit's `ranks` ("keyword", "dense"). */
  readonly name: string;
  readonly hits: readonly IndexHit[];
  /** Multiplies this list's contributions; defaults to 1. A weight of 0 keeps the list's ranks as "why" only. */
  readonly weight?: number;
}

/** Options for {@link fuseRrf}. */
export interface FuseRrfOptions {
  readonly lists: readonly RankedList[];
  /** RRF's smoothing constant: larger flattens the gap between top and lower ranks. Defaults to 60. */
  readonly k?: number;
}

/** A chunk after fusion, with the evidence it was ranked on. */
export interface FusedHit {
  readonly chunkId: string;
  /** Σ weight / (k + rank) over the lists that returned the chunk. */
  readonly score: number;
  /** 1-based rank of the chunk in each list that returned it, by list name. */
  readonly ranks: Readonly<Record<string, number>>;
}

/**
 * Weighted reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each list adds
 * `weight / (k + rank)` for every chunk it returned. It needs no score calibration between indexes, which is
 * why it is the default way to join BM25 and cosine lists whose scales share nothing.
 *
 * Ties are broken by the best rank in any list, then by chunk id, so the output is deterministic.
 */
export function fuseRrf(options: FuseRrfOptions): FusedHit[] {
  const k = options.k ?? 60;
  const fused = new Map<string, { score: number; ranks: Record<string, number>; bestRank: number }>();
  for (const list of options.lists) {
    const weight = list.weight ?? 1;
    list.hits.forEach((hit, index) => {
      const rank = index + 1;
      const entry = fused.get(hit.chunkId) ?? { score: 0, ranks: {}, bestRank: Infinity };
      // A list that repeats a chunk counts it once, at its best rank.
      if (entry.ranks[list.name] !== undefined) return;
      entry.ranks[list.name] = rank;
      entry.score += weight / (k + rank);
      entry.bestRank = Math.min(entry.bestRank, rank);
      fused.set(hit.chunkId, entry);
    });
  }
  return [...fused.entries()]
    .sort(([leftId, left], [rightId, right]) =>
      right.score - left.score || left.bestRank - right.bestRank || (leftId < rightId ? -1 : leftId > rightId ? 1 : 0))
    .map(([chunkId, { score, ranks }]) => ({ chunkId, score, ranks }));
}
