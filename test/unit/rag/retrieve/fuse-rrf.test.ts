import { describe, expect, it } from 'vitest';
import { fuseRrf } from '../../../../rag/retrieve/fuse-rrf.js';

const hits = (...ids: string[]) => ids.map((chunkId, index) => ({ chunkId, score: 10 - index }));

describe('fuseRrf', () => {
  it('sums 1/(k + rank) over the lists and records the ranks that produced each score', () => {
    const fused = fuseRrf({ lists: [{ name: 'keyword', hits: hits('a', 'b', 'c') }, { name: 'dense', hits: hits('b', 'd') }], k: 60 });
    expect(fused.map((hit) => hit.chunkId)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]).toEqual({ chunkId: 'b', score: 1 / 62 + 1 / 61, ranks: { keyword: 2, dense: 1 } });
    expect(fused[1]).toEqual({ chunkId: 'a', score: 1 / 61, ranks: { keyword: 1 } });
    expect(fused[3]).toEqual({ chunkId: 'c', score: 1 / 63, ranks: { keyword: 3 } });
  });

  it('multiplies each list by its weight', () => {
    const fused = fuseRrf({
      lists: [{ name: 'keyword', hits: hits('a', 'b'), weight: 1 }, { name: 'dense', hits: hits('b', 'a'), weight: 0.5 }],
      k: 1,
    });
    expect(fused[0]).toMatchObject({ chunkId: 'a', ranks: { keyword: 1, dense: 2 } });
    expect(fused[0]!.score).toBeCloseTo(1 / 2 + 0.5 / 3, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 3 + 0.5 / 2, 12);
  });

  it('keeps a zero-weight list as evidence only, and breaks ties by best rank then id', () => {
    const fused = fuseRrf({ lists: [{ name: 'keyword', hits: hits('x', 'y') }, { name: 'dense', hits: hits('y', 'x'), weight: 0 }] });
    expect(fused.map((hit) => [hit.chunkId, hit.ranks])).toEqual([['x', { keyword: 1, dense: 2 }], ['y', { keyword: 2, dense: 1 }]]);
    const tied = fuseRrf({ lists: [{ name: 'one', hits: hits('b') }, { name: 'two', hits: hits('a') }] });
    expect(tied.map((hit) => hit.chunkId)).toEqual(['a', 'b']);
  });

  it('counts a chunk a list repeats once, at its best rank', () => {
    const fused = fuseRrf({ lists: [{ name: 'keyword', hits: hits('a', 'a') }], k: 60 });
    expect(fused).toEqual([{ chunkId: 'a', score: 1 / 61, ranks: { keyword: 1 } }]);
  });

  it('returns nothing for no lists', () => {
    expect(fuseRrf({ lists: [] })).toEqual([]);
  });
});
