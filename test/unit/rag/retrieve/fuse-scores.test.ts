import { describe, expect, it } from 'vitest';
import { fuseScores } from '../../../../rag/retrieve/fuse-scores.js';

describe('fuseScores', () => {
  it('min-max normalises each list and gives a missing chunk the list floor', () => {
    const fused = fuseScores({
      normalization: 'minmax',
      lists: [
        { name: 'keyword', hits: [{ chunkId: 'a', score: 20 }, { chunkId: 'b', score: 15 }, { chunkId: 'c', score: 10 }] },
        { name: 'dense', hits: [{ chunkId: 'c', score: 0.9 }, { chunkId: 'd', score: 0.5 }], weight: 0.5 },
      ],
    });
    const scores = Object.fromEntries(fused.map((hit) => [hit.chunkId, hit.score]));
    expect(scores.a).toBeCloseTo(1, 12);
    expect(scores.b).toBeCloseTo(0.5, 12);
    expect(scores.c).toBeCloseTo(0 + 0.5, 12);
    expect(scores.d).toBeCloseTo(0, 12);
    expect(fused.find((hit) => hit.chunkId === 'c')!.ranks).toEqual({ keyword: 3, dense: 1 });
  });

  it('z-score normalisation keeps a far-ahead hit far ahead', () => {
    const fused = fuseScores({
      normalization: 'zscore',
      lists: [
        { name: 'keyword', hits: [{ chunkId: 'a', score: 30 }, { chunkId: 'b', score: 5 }, { chunkId: 'c', score: 4 }] },
        { name: 'dense', hits: [{ chunkId: 'b', score: 0.8 }, { chunkId: 'c', score: 0.79 }, { chunkId: 'a', score: 0.7 }], weight: 0.2 },
      ],
    });
    expect(fused[0]!.chunkId).toBe('a');
  });
});
