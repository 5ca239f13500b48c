import type { FusedHit, RankedList } from './fuse-rrf.js';

/** How each list's raw scores are put on a common scale before they are summed. */
export type ScoreNormalization = 'minmax' | 'zscore';

/** Options for {@link fuseScores}. */
export interface FuseScoresOptions {
  readonly lists: readonly RankedList[];
  /** `minmax` maps each list onto [0, 1]; `zscore` centres and scales by the list's standard deviation. */
  readonly normalization: ScoreNormalization;
}

/**
 * Convex combination of normalised scores: Σ weight × normalised score over the lists. Unlike RRF it keeps how
 * far apart the hits of one list are, so a keyword hit far ahead of the rest stays ahead. A chunk missing from a
 * list scores below everything the list returned (one standard deviation below its worst hit for z-scores, 0 for
 * min-max): absence from a list is evidence, most of all when the list is short and decisive.
 */
export function fuseScores(options: FuseScoresOptions): FusedHit[] {
  const fused = new Map<string, { score: number; ranks: Record<string, number> }>();
  const floors: number[] = [];
  const normalised = options.lists.map((list) => {
    const { scale, floor } = normaliser(list.hits.map((hit) => hit.score), options.normalization);
    floors.push(floor);
    return list.hits.map((hit) => scale(hit.score));
  });
  for (const list of options.lists) {
    list.hits.forEach((hit, index) => {
      const entry = fused.get(hit.chunkId) ?? { score: 0, ranks: {} };
      if (entry.ranks[list.name] !== undefined) return;
      entry.ranks[list.name] = index + 1;
      fused.set(hit.chunkId, entry);
    });
  }
  for (const entry of fused.values()) {
    options.lists.forEach((list, listIndex) => {
      const rank = entry.ranks[list.name];
      const value = rank === undefined ? floors[listIndex]! : normalised[listIndex]![rank - 1]!;
      entry.score += (list.weight ?? 1) * value;
    });
  }
  return [...fused.entries()]
    .sort(([leftId, left], [rightId, right]) => right.score - left.score || (leftId < rightId ? -1 : leftId > rightId ? 1 : 0))
    .map(([chunkId, { score, ranks }]) => ({ chunkId, score, ranks }));
}

function normaliser(
  scores: readonly number[],
  method: ScoreNormalization,
): { scale: (score: number) => number; floor: number } {
  if (scores.length === 0) return { scale: () => 0, floor: 0 };
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  // One hit, or all equal: they are all as good as this list can say, and clearly ahead of what it left out.
  if (max === min) return { scale: () => 1, floor: 0 };
  if (method === 'minmax') return { scale: (score) => (score - min) / (max - min), floor: 0 };
  const mean = scores.reduce((total, score) => total + score, 0) / scores.length;
  const deviation = Math.sqrt(scores.reduce((total, score) => total + (score - mean) ** 2, 0) / scores.length);
  const scale = (score: number) => (score - mean) / deviation;
  return { scale, floor: scale(min) - 1 };
}
